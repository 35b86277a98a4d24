"""The hostile-input corpus (tests/hostile/corpus.py): each file alone is refused in well under a
second as one positioned problem; all of them given to `obsgen build` beside a valid spec exit 2,
list every problem as `file:line:col: message` with no traceback, and leave the output as it was."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from obsgen.build.load import MAX_SPEC_BYTES, load_journey
from obsgen.errors import SpecError
from tests.conftest import PURCHASE_SPEC, ROOT
from tests.hostile.corpus import CORPUS

# Far above what any entry takes on a loaded machine (milliseconds), far below what an unbounded
# expansion takes (the billion laughs ran 54 s before the loader's limits).
SECONDS = 1.0


def obsgen(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "obsgen", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)


def tree(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_each_entry_is_one_positioned_problem_in_well_under_a_second(name, tmp_path):
    content, position, message = CORPUS[name]
    spec = tmp_path / f"{name}.yaml"
    spec.write_bytes(content)
    started = time.monotonic()
    with pytest.raises(SpecError) as caught:
        load_journey(spec, source_name=spec.name)
    assert time.monotonic() - started < SECONDS
    (problem,) = [str(d) for d in caught.value.diagnostics]
    assert problem.startswith(f"{name}.yaml:{position}: ") and message in problem, problem
    assert "\n" not in problem and len(problem) < 400


def test_dev_zero_as_a_spec_is_refused(tmp_path):
    with pytest.raises(SpecError) as caught:
        load_journey(Path("/dev/zero"), source_name="zero.yaml")
    assert [str(d) for d in caught.value.diagnostics] == [f"zero.yaml:1:1: spec is larger than {MAX_SPEC_BYTES // 1024} KiB; "
                                                          "is this the right file?"]


@pytest.mark.integration
def test_the_whole_corpus_through_the_cli_is_exit_2_and_leaves_the_output_as_it_was(tmp_path):
    (tmp_path / "specs").mkdir()
    shutil.copy(PURCHASE_SPEC, tmp_path / "specs" / "purchase.yaml")
    first = obsgen(tmp_path, "build", "--no-validate", "specs/")
    assert first.returncode == 0, first.stderr
    before = tree(tmp_path / "generated")
    for name, (content, _, _) in CORPUS.items():
        (tmp_path / "specs" / f"{name}.yaml").write_bytes(content)
    result = obsgen(tmp_path, "build", "specs/", "/dev/zero")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    *problems, summary = result.stderr.splitlines()
    assert summary == f"obsgen: {len(CORPUS) + 1} problem(s) in the spec; nothing was written"
    expected = {f"specs/{name}.yaml:{position}: ": message for name, (_, position, message) in CORPUS.items()}
    # Named from the current directory, and absolute outside it.
    expected["/dev/zero:1:1: "] = f"spec is larger than {MAX_SPEC_BYTES // 1024} KiB"
    assert len(problems) == len(expected)
    for problem in problems:
        prefix = next(p for p in expected if problem.startswith(p))
        assert expected[prefix] in problem, problem
    assert tree(tmp_path / "generated") == before
    assert not [p for p in (tmp_path / "generated").iterdir() if p.name.startswith(".obsgen-staging")]
