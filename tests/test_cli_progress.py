"""Progress lines on stderr: per phase and per journey, on for a terminal, off for pipes and --quiet."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

import pytest

from tests.cli_helpers import obsgen, project
from tests.conftest import ROOT

LINE = re.compile(r"^\[\s*\d+\.\ds\] \S")


def progress_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if LINE.match(line)]


@pytest.mark.integration
def test_forced_progress_names_each_phase_and_journey(tmp_path):
    spec = project(tmp_path)
    result = obsgen("build", "--progress", "--no-validate", "specs/etcd-kv.yaml", "-o", "out", cwd=spec.parent.parent)
    assert result.returncode == 0, result.stderr
    lines = progress_lines(result.stderr)
    assert lines == result.stderr.splitlines(), "only progress lines on stderr"
    messages = [line.split("] ", 1)[1] for line in lines]
    assert messages[0] == "build: loading 1 spec(s)"
    assert any(m.startswith("build etcd-kv: emitting") for m in messages)
    assert any(m.startswith("build _fleet: emitting") for m in messages)
    assert any(m.startswith("publish: swapping 2 changed director(ies) into out/") for m in messages)
    assert messages[-1] == "build: done"
    seconds = [float(line[1:].split("s]")[0]) for line in lines]
    assert seconds == sorted(seconds)


@pytest.mark.integration
@pytest.mark.parametrize("flags", [[], ["-q"], ["--progress", "-q"]])
def test_no_progress_when_piped_or_quiet(tmp_path, flags):
    spec = project(tmp_path)
    result = obsgen("build", *flags, "--no-validate", "specs/etcd-kv.yaml", "-o", "out", cwd=spec.parent.parent)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "etcd-kv.yaml -> out/etcd-kv/" in result.stdout  # the results still print


@pytest.mark.integration
def test_global_options_work_before_the_command(tmp_path):
    spec = project(tmp_path)
    loud = obsgen("--progress", "build", "--no-validate", "specs/etcd-kv.yaml", "-o", "out", cwd=spec.parent.parent)
    quiet = obsgen("--progress", "build", "-q", "--no-validate", "specs/etcd-kv.yaml", "-o", "out2",
                   cwd=spec.parent.parent)
    assert progress_lines(loud.stderr) and quiet.stderr == ""


@pytest.mark.integration
def test_progress_is_on_by_default_on_a_terminal(tmp_path):
    spec = project(tmp_path)
    controller, terminal = pty.openpty()
    try:
        result = subprocess.run([sys.executable, "-m", "obsgen", "build", "--no-validate", "specs/etcd-kv.yaml",
                                 "-o", "out"], cwd=spec.parent.parent, stdout=subprocess.PIPE, stderr=terminal,
                                text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        os.close(terminal)
        seen = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal's other end is closed: everything has been read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(controller)
    assert result.returncode == 0
    assert "build: loading 1 spec(s)" in seen.decode() and "build: done" in seen.decode()


@pytest.mark.integration
def test_validation_and_rule_test_phases_report_their_duration(tmp_path):
    spec = project(tmp_path)
    result = obsgen("build", "--progress", "specs/etcd-kv.yaml", "-o", "out", cwd=spec.parent.parent)
    assert result.returncode == 0, result.stderr
    messages = [line.split("] ", 1)[1] for line in progress_lines(result.stderr)]
    # The static checks run for the journey and _fleet together (one promtool, one amtool run); the rule
    # tests of both, queued meanwhile, then run in one pool.
    assert any(re.fullmatch(r"build 2 director\(ies\): static checks \(.*\): done in \d+\.\ds", m) for m in messages)
    assert any(re.fullmatch(r"build: rule tests \(promtool test rules\): done in \d+\.\ds", m) for m in messages)

    tested = obsgen("test", "--progress", "specs/etcd-kv.yaml", "-o", "out", cwd=spec.parent.parent)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    messages = [line.split("] ", 1)[1] for line in progress_lines(tested.stderr)]
    assert "test: loading specs/etcd-kv.yaml" in messages
    assert any(re.fullmatch(r"test out/etcd-kv: promtool test rules on 1 file\(s\): done in \d+\.\ds", m)
               for m in messages)


def test_the_stack_reports_its_steps_as_progress(tmp_path):
    """`obsgen stack` logs its steps; they are progress lines like every command's (one module, one format)."""
    import logging

    from click.testing import CliRunner

    from obsgen import progress
    from obsgen.cli import main

    @main.command("log-step", hidden=True)  # a stand-in for a stack step, on the real group and handler
    def log_step() -> None:
        from obsgen.cli.stack import _configure_logging

        _configure_logging()
        logging.getLogger("lab.stack").info("postgres: ready")
        logging.getLogger("lab.stack").warning("port 5432 is taken")

    try:
        loud = CliRunner().invoke(main, ["--progress", "log-step"])
        quiet = CliRunner().invoke(main, ["-q", "log-step"])
    finally:
        main.commands.pop("log-step")
        progress.configure(progress.OFF)
        stack_logger = logging.getLogger("lab.stack")
        for handler in list(stack_logger.handlers):
            stack_logger.removeHandler(handler)
        stack_logger.setLevel(logging.NOTSET)
    assert re.search(r"^\[\s*\d+\.\ds\] stack: postgres: ready$", loud.stderr, re.M), loud.stderr
    assert "obsgen stack: port 5432 is taken" in loud.stderr
    assert quiet.stderr == "obsgen stack: port 5432 is taken\n"
