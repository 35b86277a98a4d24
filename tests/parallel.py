"""How the suite is shared among pytest-xdist's workers (`-n auto` in pyproject.toml's addopts).

A unit of work goes to one worker whole. The unit is a test module, so a module-scoped build or stack is made
once; or the modules of a directory whose conftest holds a session-scoped stack or venv, so that it is made
once too (a second record store must not start; a second wheel and venv costs a minute of CPU). Its
subdirectories are units of their own: tests/live/broker/ starts a stack of its own and tests/live/queue/ makes
the live stack again on its worker, so that they run beside the shared live stack rather than after it. The
live tests spend most of their minutes waiting on the clocks of Prometheus and Alertmanager, using little CPU:
each live unit is handed out first and has a worker to itself, which stops after it; a worker per core
besides them takes the rest of the suite, units holding slow tests first, at a lower CPU priority, so that
promtool's pools cannot delay the evaluations and notifications the drills time.

The units are told apart by node id, in the controller, rather than by `xdist_group` marks: `--dist
loadgroup` passes marks by rewriting node ids, which pytest 9.2 no longer allows (pytest-xdist#1386).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from xdist.scheduler import LoadScopeScheduling

LIVE_TESTS = "tests/live/"
# Directories whose conftest holds a session-scoped fixture that starts processes; the fixture is visible
# to their tests only, so a directory is exactly the set of tests sharing it.
SESSION_STACK_DIRECTORIES = (
    LIVE_TESTS,  # live_stack, loaded_stack: the native stack with the fleet's rules
    "tests/store/",  # store_stack: the record store
    "tests/package/",  # installed: the wheel in a fresh venv
)
BACKGROUND_NICENESS = 10


def unit_of_work(nodeid: str) -> str:
    """The directory of a shared session stack, or else the module: what one worker runs together."""
    module = nodeid.split("::", 1)[0]
    directory = module[:module.rindex("/") + 1]
    return directory if directory in SESSION_STACK_DIRECTORIES else module


def is_live(nodeid: str) -> bool:
    return nodeid.startswith(LIVE_TESTS)


def live_units(root: Path = Path(__file__).resolve().parent.parent) -> set[str]:
    """The units of work of the live test modules under root (the repository)."""
    return {unit_of_work(path.relative_to(root).as_posix()) for path in (root / LIVE_TESTS).rglob("test_*.py")}


class SuiteScheduling(LoadScopeScheduling):
    """xdist's scheduling by scope, with the scope a unit of work; units go out in collection order
    (`--no-loadscope-reorder`), and collection puts the live tests first and then the units holding slow
    tests (work_order)."""

    def _split_scope(self, nodeid: str) -> str:
        return unit_of_work(nodeid)

    def _reschedule(self, node) -> None:
        """No more work for a worker while two or more of its live tests are still to run: a unit queued
        behind minutes of drills would wait there while the other workers run out of work. Once its last
        live test starts (it needs a next test or the end to run that one, so holding back any longer would
        stall it), the worker stops there if the workers that ran no live test keep every core busy, as
        more processes than cores competing for them only cost CPU; else it takes units like any other."""
        pending = live_pending(self.assigned_work[node])
        if pending >= 2:
            return
        if ran_live(self.assigned_work[node]) and self._cores_kept_busy_without(node):
            if not node.shutting_down:
                node.shutdown()
            return
        super()._reschedule(node)

    def _cores_kept_busy_without(self, node) -> bool:
        others = [work for other, work in self.assigned_work.items() if other is not node and not ran_live(work)]
        return len(others) >= cores()


def live_pending(workload: dict[str, dict[str, bool]]) -> int:
    """Live tests not yet done in an xdist workload (unit -> node id -> done)."""
    return sum(1 for tests in workload.values() for nodeid, done in tests.items() if not done and is_live(nodeid))


def ran_live(workload: dict[str, dict[str, bool]]) -> bool:
    return any(is_live(nodeid) for tests in workload.values() for nodeid in tests)


def cores() -> int:
    return len(os.sched_getaffinity(0))


def make_scheduler(config: pytest.Config, log) -> SuiteScheduling | None:
    """Ours for the default distribution (`-n` alone is `--dist load`); any other `--dist` is xdist's."""
    return SuiteScheduling(config, log) if config.getvalue("dist") == "load" else None


def auto_workers() -> int | None:
    """`-n auto`: a worker per core for the suite and one more for each live unit, which mostly sleeps.
    PYTEST_XDIST_AUTO_NUM_WORKERS, xdist's own setting, still wins."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    return cores() + len(live_units())


def in_a_worker() -> bool:
    return bool(os.environ.get("PYTEST_XDIST_WORKER"))


def work_order(items: list[pytest.Item]) -> None:
    """In a worker, the shared live stack's tests first (the longest unit), then the other live ones, then the
    units holding a test marked slow, then the rest, each in collection order: xdist hands units out in this
    order, and a long unit started last would keep one core busy after the others ran out of work (in one
    process the order stays as collected)."""
    if in_a_worker():
        slow = {unit_of_work(item.nodeid) for item in items if item.get_closest_marker("slow")}
        items.sort(key=lambda item: (not is_live(item.nodeid), unit_of_work(item.nodeid) != LIVE_TESTS,
                                     unit_of_work(item.nodeid) not in slow))


def yield_cpu_to_the_live_tests(item: pytest.Item) -> None:
    """In a worker, a test that is not live lowers its process' priority, once and for the rest of the run."""
    if in_a_worker() and not is_live(item.nodeid) and os.nice(0) < BACKGROUND_NICENESS:
        os.nice(BACKGROUND_NICENESS - os.nice(0))
