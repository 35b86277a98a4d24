"""How the `obsgen` program ends: after a command that only reads specs and writes files, without the
interpreter's teardown (obsgen.cli.quick_exit), with the same exit code, output and clean-up."""

from __future__ import annotations

import os
import sys

import pytest

from obsgen import cli
from obsgen.errors import CLOSED_OUTPUT_EXIT
from tests.cli_helpers import obsgen, project


class _Quick(Exception):
    pass


def _ended(monkeypatch, *args: str) -> tuple[str, int]:
    """How run() ends for `obsgen ARGS`: ("quick", code) or ("normal", code)."""
    def quick(code: int) -> None:
        raise _Quick(code)
    monkeypatch.setattr(cli, "quick_exit", quick)
    monkeypatch.setattr(sys, "argv", ["obsgen", *args])
    try:
        cli.run()
    except _Quick as ended:
        return "quick", ended.args[0]
    except SystemExit as ended:
        return "normal", ended.code
    raise AssertionError("run() returned")


def test_a_build_ends_quickly_with_its_exit_code(monkeypatch, tmp_path, capsys):
    assert _ended(monkeypatch, "build", str(tmp_path / "missing.yaml"), "--out", str(tmp_path / "out")) == ("quick", 2)
    assert "cannot read spec" in capsys.readouterr().err


def test_a_usage_error_of_a_build_keeps_its_exit_code(monkeypatch, capsys):
    assert _ended(monkeypatch, "build") == ("quick", 2)
    assert "Missing argument 'SPECS...'" in capsys.readouterr().err


def test_other_commands_and_options_end_as_click_ends_them(monkeypatch, capsys):
    assert _ended(monkeypatch, "--version") == ("normal", 0)
    assert _ended(monkeypatch, "schema") == ("normal", 0)
    assert _ended(monkeypatch, "no-such-command") == ("normal", 2)  # no command ran
    capsys.readouterr()


@pytest.mark.integration  # the real program in a fresh interpreter
def test_the_program_says_everything_and_leaves_no_temporary_file(tmp_path):
    spec = project(tmp_path)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    result = obsgen("build", str(spec), "--out", "generated", cwd=spec.parents[1], env={"TMPDIR": str(scratch)})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "-> generated/etcd-kv/" in result.stdout and "fleet of 1 -> generated/_fleet/" in result.stdout
    assert list(scratch.iterdir()) == []  # the rule tests' scoped copies, and every other scratch directory


@pytest.mark.integration
def test_a_reader_that_went_away_ends_the_program_as_sigpipe_would(tmp_path):
    """`obsgen build ... | head -1`: its output's reader is gone before the summary is written (here: before
    anything is), which is no bug in obsgen: no message, no traceback, the status SIGPIPE gives, and the
    build itself done."""
    spec = project(tmp_path)
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = obsgen("build", str(spec), "--out", "generated", "--no-test", cwd=spec.parents[1], stdout=write_end)
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (CLOSED_OUTPUT_EXIT, "")
    assert (spec.parents[1] / "generated" / "etcd-kv" / "prometheus").is_dir()
