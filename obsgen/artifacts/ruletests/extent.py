"""How much simulated time the generated rule tests spend.

Every build proves each alert fires when it should and stays quiet when it should not. Three kinds of scenario
simulate hours, not minutes — SLO-window ratios on a day of varying traffic, the low-traffic guard holding while
the ticket fires, and recovery after a cause with its RecentlyDown companion — and promtool evaluates the rules
they read at every one of those steps: on the purchase journey the first two cost about 40 of its 87 promtool
seconds. Builds leave them out; the project's own suite writes them for the reference and real systems' journeys
and runs them with both promtool generations (tests/ruletests/test_extended.py, test_varying_traffic.py,
test_recovery.py, test_scenarios.py). Scoping rule tests to the rules each group reads (issue 16) halves their
cost but not enough: on the purchase journey they still nearly triple promtool's CPU (BENCHMARKS.md, "Rule tests:
scoped and parallel"), so builds still leave them out.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

_EXTENDED: ContextVar[bool] = ContextVar("obsgen_extended_rule_tests", default=False)


def extended() -> bool:
    """Whether the long scenarios are written."""
    return _EXTENDED.get()


@contextmanager
def extended_scenarios() -> Iterator[None]:
    token = _EXTENDED.set(True)
    try:
        yield
    finally:
        _EXTENDED.reset(token)
