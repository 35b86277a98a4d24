"""obsgen.build.validation.check_all: each stage over every directory at once, later stages only where the
earlier ones found nothing, problems in directory then validator order, a tool shared by checks run
once over all their files."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

from obsgen.artifacts.base import FileCheck
from obsgen.build.validation import Directory, check_all

LABELS = ("static", "tests")


def test_later_stages_run_only_where_earlier_ones_passed(tmp_path):
    ran = []

    def static(staged, subject):
        return [f"{subject}: broken"] if subject == "a" else []

    def tests(staged, subject):
        ran.append(subject)
        return [f"{subject}: test failed"] if subject == "c" else []

    directories = [Directory(name, tmp_path, name, [[static], [tests]]) for name in ("a", "b", "c")]
    assert check_all(directories, LABELS, lambda label: nullcontext()) == ["a: broken", "c: test failed"]
    assert ran == ["b", "c"]


def test_checks_sharing_a_tool_share_one_run_and_report_per_directory(tmp_path):
    runs = []

    def tool(files: list[Path]) -> dict[Path, list[str]]:
        runs.append(files)
        return {f: [f"bad {f.name}"] if f.read_text() == "bad" else [] for f in files}

    journey = FileCheck(lambda staged: sorted(staged.glob("*.txt")), tool, lambda s, f, p: f"journey {f.name}: {p}")
    fleet = FileCheck(lambda staged: sorted(staged.glob("*.txt")), tool, lambda s, f, p: f"fleet {f.name}: {p}")
    plain_first = lambda staged, subject: [f"{subject} plain"]  # noqa: E731
    directories = []
    for name, content, check in (("j1", "ok", journey), ("j2", "bad", journey), ("_fleet", "bad", fleet)):
        (tmp_path / name).mkdir()
        (tmp_path / name / f"{name}.txt").write_text(content)
        directories.append(Directory(name, tmp_path / name, name, [[plain_first, check]]))
    problems = check_all(directories, LABELS[:1], lambda label: nullcontext())
    assert len(runs) == 1 and len(runs[0]) == 3
    assert problems == ["j1 plain", "j2 plain", "journey j2.txt: bad j2.txt", "_fleet plain",
                        "fleet _fleet.txt: bad _fleet.txt"]
    assert journey(tmp_path / "j2", "j2") == ["journey j2.txt: bad j2.txt"]  # alone, an ordinary validator
