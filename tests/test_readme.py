"""The README's two commands are the ones CI and users run."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def readme_commands() -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", (ROOT / "README.md").read_text())[:2]


def test_readme_starts_with_build_and_test_commands():
    build, test = readme_commands()
    # .venv/bin: obsgen lives in a virtualenv of the checkout, the same path on every machine (a
    # system Python is externally managed and has no `python` command).
    assert build == "scripts/bootstrap && .venv/bin/obsgen build specs/purchase.yaml"
    # --test adds the native stack, node/npm and the second promtool generation to what build needs.
    assert test.startswith("scripts/bootstrap --test && ")


def test_ci_runs_the_readme_test_command():
    _, test = readme_commands()
    ci = (ROOT / ".ci" / "run").read_text()
    for part in test.split(" && "):
        assert part in ci.splitlines(), f"{part!r} is not a line of .ci/run"
