"""A bug in obsgen (any exception that is not an obsgen error) is one line asking for a report and
exit 70; the traceback only with --debug or OBSGEN_DEBUG=1. The bug is made real by replacing the
build with a function that raises, in a small wrapper that then runs obsgen's own entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from obsgen import __version__
from obsgen.errors import INTERNAL_ERROR_EXIT
from tests.conftest import PURCHASE_SPEC, ROOT

pytestmark = pytest.mark.integration  # every test runs obsgen in a process

WRAPPER = """
import sys
import obsgen.build.pipeline

def broken_build(*args, **kwargs):
    raise ValueError("stage 'checkout' vanished\\nsecond line of the message")

obsgen.build.pipeline.build_fleet = broken_build
from obsgen.cli import main
sys.argv[0] = "obsgen"
main()
"""


def obsgen_with_a_bug(tmp_path: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", WRAPPER, *args], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "OBSGEN_DEBUG": "", **(env or {})})


def test_an_internal_error_is_one_line_asking_for_a_report(tmp_path: Path):
    result = obsgen_with_a_bug(tmp_path, "build", str(PURCHASE_SPEC), "--out", "out")
    assert result.returncode == INTERNAL_ERROR_EXIT == 70
    assert result.stderr.splitlines() == [
        f"obsgen {__version__}: internal error (ValueError: stage 'checkout' vanished); this is a bug in obsgen, "
        f"not in your input: please report it to obsgen's maintainers with the output of "
        f"`obsgen --debug build {PURCHASE_SPEC} --out out`"]
    assert not (tmp_path / "out").exists()


def test_debug_adds_the_traceback(tmp_path: Path):
    result = obsgen_with_a_bug(tmp_path, "--debug", "build", str(PURCHASE_SPEC))
    assert result.returncode == INTERNAL_ERROR_EXIT
    lines = result.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert "in broken_build" in result.stderr
    assert "ValueError: stage 'checkout' vanished\nsecond line of the message\n" in result.stderr
    assert lines[-1].startswith(f"obsgen {__version__}: internal error (ValueError:")
    assert f"`obsgen --debug build {PURCHASE_SPEC}`" in lines[-1]


def test_obsgen_debug_in_the_environment_adds_the_traceback(tmp_path: Path):
    result = obsgen_with_a_bug(tmp_path, "build", str(PURCHASE_SPEC), env={"OBSGEN_DEBUG": "1"})
    assert result.returncode == INTERNAL_ERROR_EXIT
    assert result.stderr.startswith("Traceback (most recent call last):")


def test_user_errors_stay_what_they_were_with_debug(tmp_path: Path):
    (tmp_path / "bad.yaml").write_text("apiVersion: obsgen/v1\nkind: Journey\nmetadata: [\n")
    result = subprocess.run([sys.executable, "-m", "obsgen", "--debug", "build", "bad.yaml"], cwd=tmp_path,
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("bad.yaml:")
