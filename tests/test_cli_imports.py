"""What a command imports: `obsgen --version` loads no command module, and `obsgen build` loads the
stack runner only when a native stack's state directory exists (lazy loading, issue 16)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_helpers import project
from tests.conftest import ROOT

pytestmark = pytest.mark.integration  # each test starts the CLI in a fresh interpreter

# Runs `obsgen ARGS` as `python -m obsgen` does, and prints the modules the run loaded as the process ends
# (however it ends: obsgen.cli.quick_exit runs the atexit functions too).
_LOADED_AFTER_RUN = """
import atexit, runpy, sys
sys.argv = ["obsgen", *sys.argv[1:]]
atexit.register(lambda: print("\\n".join(sorted(sys.modules)), file=sys.stderr))
runpy.run_module("obsgen", run_name="__main__", alter_sys=True)
"""

# Each costs tens of milliseconds to import; none is needed to print the version.
HEAVY = ["obsgen.targets", "obsgen.build.pipeline", "obsgen.model", "lab.stack.runner", "obsgen.artifacts.ruletests",
         "obsgen.artifacts.grafana", "obsgen.lint", "obsgen.promql", "grafanalib", "pydantic", "yaml"]


def loaded_modules(*args: str, cwd: Path = ROOT, env: dict | None = None) -> tuple[subprocess.CompletedProcess, set]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    environment.pop("OBSGEN_STACK_DIR", None)
    result = subprocess.run([sys.executable, "-c", _LOADED_AFTER_RUN, *args], cwd=cwd, capture_output=True,
                            text=True, env=environment)
    return result, set(result.stderr.splitlines())


def test_version_imports_no_command_module():
    result, modules = loaded_modules("--version")
    assert result.returncode == 0 and "obsgen, version" in result.stdout
    assert "obsgen.cli" in modules  # the probe saw the run
    assert sorted(m for m in modules if m in HEAVY) == []


def test_build_without_a_native_stack_does_not_load_the_stack_runner(tmp_path):
    spec = project(tmp_path)
    result, modules = loaded_modules("build", str(spec), "--out", "generated", "--no-validate", cwd=spec.parents[1])
    assert result.returncode == 0, result.stderr[-2000:]
    assert "obsgen.build.pipeline" in modules  # the build ran
    assert "lab.stack.runner" not in modules


def test_build_with_a_stack_state_directory_asks_the_stack_runner(tmp_path):
    spec = project(tmp_path)
    (spec.parents[1] / ".stack").mkdir()  # where `obsgen stack` keeps its state, from this directory
    result, modules = loaded_modules("build", str(spec), "--out", "generated", "--no-validate", cwd=spec.parents[1])
    assert result.returncode == 0, result.stderr[-2000:]
    assert "lab.stack.runner" in modules


def test_what_a_journey_emits_before_its_dashboards_loads_no_grafanalib():
    """A build of a few journeys loads grafanalib while their rule tests are emitted on another core
    (obsgen.build.emit_pool): every kind's emitter and the runbook (which names the dashboard's rows) load
    without it."""
    probe = ("import sys; import obsgen.build.pipeline, obsgen.artifacts.runbook.emit; "
             "print(sorted(m for m in sys.modules if m.startswith('grafanalib')))")
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
