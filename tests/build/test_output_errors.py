"""File-system and tool failures a user can cause end in one line and exit 2, never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PURCHASE_SPEC, ROOT

pytestmark = pytest.mark.integration  # every test runs obsgen build in a process


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "specs").mkdir()
    shutil.copy(PURCHASE_SPEC, tmp_path / "specs" / "purchase.yaml")
    return tmp_path


def obsgen(project: Path, *args: str, env: dict | None = None, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-m", "obsgen", *args], cwd=project, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


def assert_one_line_usage_error(result: subprocess.CompletedProcess, *words: str, lines: int = 1) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == lines, result.stderr
    for word in words:
        assert word in result.stderr


@pytest.mark.parametrize("out", ["afile", "afile/sub"])
def test_out_naming_a_file_is_a_usage_error(project: Path, out: str):
    (project / "afile").write_text("mine\n")
    result = obsgen(project, "build", "--no-validate", "specs/", "--out", out)
    assert_one_line_usage_error(result, out)
    assert (project / "afile").read_text() == "mine\n"


def test_read_only_output_directory_is_a_usage_error(project: Path):
    readonly = project / "ro"
    readonly.mkdir()
    readonly.chmod(0o555)
    project.chmod(0o755)
    # root ignores permissions: run as an unprivileged user in a user namespace (nobody).
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:
        if not shutil.which("unshare") or subprocess.run(["unshare", "--user", "true"]).returncode != 0:
            pytest.skip("running as root without unprivileged user namespaces: permissions cannot be denied")
        prefix = ("unshare", "--user")
    result = obsgen(project, "build", "--no-validate", "specs/", "--out", "ro", prefix=prefix)
    assert_one_line_usage_error(result, "ro: cannot write the output", "Permission denied")
    assert list(readonly.iterdir()) == []


def test_missing_promtool_says_how_to_get_one(project: Path, tmp_path: Path):
    path = os.path.dirname(sys.executable)
    if shutil.which("promtool", path=path):
        pytest.skip("promtool sits beside python")
    result = obsgen(project, "build", "specs/", env={"PATH": path, "XDG_CACHE_HOME": str(tmp_path / "empty"),
                                                    "OBSGEN_PROMTOOL": "",
                                                    "OBSGEN_AMTOOL": shutil.which("amtool") or ""})
    # The missing program, then what to do instead: one line each.
    assert_one_line_usage_error(result, "promtool not found", "scripts/go-tools install promtool", "--no-validate",
                                lines=2)
    assert not (project / "generated" / "purchase").exists()


def test_every_missing_program_is_named_at_once_and_no_validate_still_builds(project: Path, tmp_path: Path):
    path = os.path.dirname(sys.executable)
    if any(shutil.which(tool, path=path) for tool in ("promtool", "amtool")):
        pytest.skip("a validation program sits beside python")
    env = {"PATH": path, "XDG_CACHE_HOME": str(tmp_path / "empty"), "OBSGEN_PROMTOOL": "", "OBSGEN_AMTOOL": ""}
    result = obsgen(project, "build", "specs/", env=env)
    assert_one_line_usage_error(result, lines=3)
    assert [line.split(" not found")[0] for line in result.stderr.splitlines()[:2]] == [
        "obsgen: promtool", "obsgen: amtool"]
    assert not (project / "generated").exists()

    unvalidated = obsgen(project, "build", "--no-validate", "specs/", env=env)
    assert unvalidated.returncode == 0, unvalidated.stderr
    impact = project / "generated" / "purchase" / "impact"
    assert sorted(p.name for p in impact.iterdir()) == [
        "impact.dot", "impact.json", "impact.mmd", "impact.svg", "impact.yaml"]


def test_missing_amtool_says_how_to_get_one(project: Path):
    result = obsgen(project, "build", "--no-test", "specs/", env={"OBSGEN_AMTOOL": str(project / "no-amtool")})
    # The program that is not there, then what to do instead: one line each (as for promtool above).
    assert_one_line_usage_error(result, "$OBSGEN_AMTOOL=", "scripts/go-tools install amtool", "--no-validate",
                                lines=2)
    assert not (project / "generated").exists()
