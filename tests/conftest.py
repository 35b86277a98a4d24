"""Shared fixtures: the repository layout and the purchase spec; the `integration` marker, checked."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

from obsgen.build import emit_pool
from tests import parallel

ROOT = Path(__file__).resolve().parent.parent
PURCHASE_SPEC = ROOT / "specs" / "purchase.yaml"


def keep_bytecode() -> None:
    """This process and every Python the suite starts (xdist's workers, `python -m obsgen` in subprocesses) write
    compiled bytecode and read it again, as Python does by default (`__pycache__/` beside the sources, ignored
    by git). With PYTHONDONTWRITEBYTECODE set, as on this project's machines, each of them compiled obsgen's
    modules from source again: about 0.08 s of CPU per `python -m obsgen` (BENCHMARKS.md, "Two live stacks")."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False


keep_bytecode()


@pytest.fixture(scope="session")
def purchase_journey():
    from obsgen.build.load import load_journey

    return load_journey(PURCHASE_SPEC, source_name="specs/purchase.yaml")


@pytest.fixture(scope="session")
def purchase_artifacts(purchase_journey) -> tuple:
    """Every file a build of the purchase spec writes (obsgen.build.pipeline.emit_all), emitted once per session:
    emitting runs the rule-test simulator, seconds of CPU; Artifacts are frozen and the tuple cannot change."""
    from obsgen.build.pipeline import emit_all

    return tuple(emit_all(purchase_journey))


@pytest.fixture
def spec_text() -> str:
    return PURCHASE_SPEC.read_text()


def tree(directory: Path) -> dict[str, bytes]:
    """Every file under directory, by relative path: what a build's output is, byte for byte."""
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def purchase_built(tmp_path_factory: pytest.TempPathFactory):
    """A project holding specs/purchase.yaml and generated/, built once per session as a user builds it:
    `obsgen build specs/purchase.yaml` from the project directory (promtool, amtool, lint, rule tests).
    A full build costs seconds of CPU, a copy milliseconds: tests only read this one, and a test that
    changes a build works on its own copy (copy_project). The session ends by checking nobody wrote to it."""
    project = tmp_path_factory.mktemp("purchase-built")
    (project / "specs").mkdir()
    shutil.copy(PURCHASE_SPEC, project / "specs" / "purchase.yaml")
    result = subprocess.run([sys.executable, "-m", "obsgen", "build", "specs/purchase.yaml"], cwd=project,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    before = tree(project)
    yield project
    assert tree(project) == before, "a test changed the shared build: give it copy_project(purchase_built, tmp_path)"


def copy_project(project: Path, into: Path) -> Path:
    """A copy of a built project (its manifest lists relative paths, so the copy is a build in its own right)."""
    shutil.copytree(project, into, symlinks=True, dirs_exist_ok=True)
    return into


# Property-based tests (tests/spec/test_properties.py) run in CI on a fixed budget: derandomized so a
# failure reproduces on any machine, no deadline because one example is a whole build (seconds on a
# loaded runner), and no shrinking, which would run hundreds more builds: a CI failure prints its
# example and a blob; HYPOTHESIS_PROFILE=explore searches much further and shrinks, locally.
settings.register_profile("ci", max_examples=50, deadline=None, derandomize=True, print_blob=True,
                          phases=[Phase.explicit, Phase.reuse, Phase.generate],
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("explore", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# -- the `integration` marker, checked ----------------------------------------------------------------
# `pytest -m "not integration"` is the fast, tool-free part of the suite: it must start no process.
# A test using one of these fixtures (each starts processes: a build's promtool/amtool, a stack, a venv)
# is marked automatically; any other test that starts a process without the marker fails at once,
# naming the command, so a missing marker cannot go unnoticed.
PROCESS_FIXTURES = frozenset({
    "purchase_built",  # tests/build/conftest.py: `obsgen build` of the purchase spec, once per session
    "live_stack", "loaded_stack",  # tests/live
    "store_stack",  # tests/store
    "installed",  # tests/package: a wheel in a fresh venv
    "grafana_npm", "dashboard_checker",  # tests/dashboards: npm and node
})
_SPAWN_EVENTS = frozenset({"subprocess.Popen", "os.system", "os.posix_spawn", "os.spawn", "os.exec",
                           "os.fork", "os.forkpty"})


class UnmarkedProcess(BaseException):
    """A BaseException, so that no `except Exception`/`except OSError` of the code under test hides it."""


_unmarked_test: str | None = None  # the node id of the running test while it lacks the marker


def _refuse_unmarked_processes(event: str, args: tuple) -> None:
    if _unmarked_test is not None and event in _SPAWN_EVENTS:
        command = args[1] if event == "subprocess.Popen" else args
        raise UnmarkedProcess(f"this test starts a process ({event}: {command!r}) but is not marked "
                              f"`integration`: add @pytest.mark.integration (or `pytestmark`), or list the "
                              f"fixture that starts it in PROCESS_FIXTURES (tests/conftest.py)")


sys.addaudithook(_refuse_unmarked_processes)


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if PROCESS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)
    parallel.work_order(items)


# -- in parallel: tests/parallel.py -------------------------------------------------------------------
@pytest.hookimpl
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    return parallel.auto_workers()


@pytest.hookimpl
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    return parallel.make_scheduler(config, log)


def _guarded(item: pytest.Item):
    global _unmarked_test
    _unmarked_test = None if item.get_closest_marker("integration") else item.nodeid
    try:
        return (yield)
    finally:
        _unmarked_test = None


@pytest.fixture(autouse=True)
def _emit_in_this_process_without_the_marker(request: pytest.FixtureRequest, monkeypatch) -> None:
    """A build in a test without the marker emits in the test's own process: the emit pool and the rule tests'
    process beside it are forks (tests/build/test_emit_pool.py runs them, marked)."""
    if not request.node.get_closest_marker("integration"):
        monkeypatch.setenv(emit_pool.WORKERS_ENV, "1")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    parallel.yield_cpu_to_the_live_tests(item)
    return (yield from _guarded(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    return (yield from _guarded(item))
