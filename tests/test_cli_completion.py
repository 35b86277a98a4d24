"""Shell completion through click: `_OBSGEN_COMPLETE=bash_source obsgen` prints a script the shell
accepts, and completing with it names the (lazily loaded) commands, their options and choices."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.cli_helpers import obsgen

pytestmark = pytest.mark.integration  # every test runs the obsgen command line in a process


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_completion_script_is_produced(shell):
    result = obsgen(env={"_OBSGEN_COMPLETE": f"{shell}_source"})
    assert result.returncode == 0, result.stderr
    assert "_OBSGEN_COMPLETE" in result.stdout and f"{shell}_complete" in result.stdout
    if shell == "bash":
        assert "complete -o nosort -F _obsgen_completion obsgen" in result.stdout
        assert shutil.which("bash")
        syntax = subprocess.run(["bash", "-n"], input=result.stdout, capture_output=True, text=True)
        assert syntax.returncode == 0, syntax.stderr


def complete(*words: str) -> list[str]:
    line = ["obsgen", *words]
    result = obsgen(env={"_OBSGEN_COMPLETE": "bash_complete", "COMP_WORDS": " ".join(line),
                         "COMP_CWORD": str(len(line) - 1)})
    assert result.returncode == 0, result.stderr
    return [entry.split(",", 1)[1] for entry in result.stdout.splitlines()]


def test_completion_names_commands_options_and_choices():
    assert complete("") == ["build", "diff", "drill", "impact", "import", "lint", "push", "schema", "stack", "test",
                            "verify"]
    assert complete("ver") == ["verify"]  # a lazily loaded command
    assert "--target" in complete("build", "--ta")
    assert complete("impact", "specs/purchase.yaml", "--format", "") == ["text", "yaml", "json", "mermaid", "dot",
                                                                          "svg"]
