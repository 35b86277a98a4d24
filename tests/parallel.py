"""How the suite is shared among pytest-xdist's workers (`-n auto` in pyproject.toml's addopts).

A unit of work goes to one worker whole. The unit is a test module, so a module-scoped build or stack is made
once; or the modules of a directory whose conftest holds a session-scoped stack or venv, so that it is made
once too (a second record store must not start; a second wheel and venv costs a minute of CPU). Its
subdirectories are units of their own: tests/live/broker/ starts a stack of its own and runs beside the
shared live stack rather than after it. The live stack's tests spend most of their quarter of an hour
waiting on the clocks of Prometheus and Alertmanager: their unit is handed out first and has a worker to
itself, while the other workers take the rest of the suite at a lower CPU priority, so that promtool's pools
cannot delay the evaluations and notifications the drills time.

The units are told apart by node id, in the controller, rather than by `xdist_group` marks: `--dist
loadgroup` passes marks by rewriting node ids, which pytest 9.2 no longer allows (pytest-xdist#1386).
"""

from __future__ import annotations

import os

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


class SuiteScheduling(LoadScopeScheduling):
    """xdist's scheduling by scope, with the scope a unit of work; units go out in collection order
    (`--no-loadscope-reorder`), and collection puts the live tests first (live_first)."""

    def _split_scope(self, nodeid: str) -> str:
        return unit_of_work(nodeid)


def make_scheduler(config: pytest.Config, log) -> SuiteScheduling | None:
    """Ours for the default distribution (`-n` alone is `--dist load`); any other `--dist` is xdist's."""
    return SuiteScheduling(config, log) if config.getvalue("dist") == "load" else None


def auto_workers() -> int | None:
    """`-n auto`: a worker per core for the suite and one more for the live tests, which mostly sleep.
    PYTEST_XDIST_AUTO_NUM_WORKERS, xdist's own setting, still wins."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    return len(os.sched_getaffinity(0)) + 1


def in_a_worker() -> bool:
    return bool(os.environ.get("PYTEST_XDIST_WORKER"))


def live_first(items: list[pytest.Item]) -> None:
    """In a worker, the shared live stack's tests first (the longest unit), then the other live ones, then the
    rest in collection order (in one process the order stays as collected)."""
    if in_a_worker():
        items.sort(key=lambda item: (not is_live(item.nodeid), unit_of_work(item.nodeid) != LIVE_TESTS))


def yield_cpu_to_the_live_tests(item: pytest.Item) -> None:
    """In a worker, a test that is not live lowers its process' priority, once and for the rest of the run."""
    if in_a_worker() and not is_live(item.nodeid) and os.nice(0) < BACKGROUND_NICENESS:
        os.nice(BACKGROUND_NICENESS - os.nice(0))
