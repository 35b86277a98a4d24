"""Reference semantics of a calendar SLO's period rules (obsgen.artifacts.prometheus.period, docs/error-budgets.md "Calendar
windows").

The period ratio sums the recorded 5m event rates hour by hour (a subquery with 1h steps over the hours after
the period's start, each summing its hour's samples); the reference sums the same samples in the same order.
tests/rules/test_calendar_period.py checks the rule against the exact ratio of the counters' increases since
the period started, across period boundaries, rather than against this reference.
"""

from __future__ import annotations

from obsgen import calendar_window
from obsgen.artifacts.prometheus.period import CALENDAR_END, CALENDAR_HOUR_RANGE, CALENDAR_START, CALENDAR_STEP
from obsgen.artifacts.ruletests.promsim import Sim, divide, kahan_sum
from obsgen.model import Slo

BOUNDS = (CALENDAR_START, CALENDAR_END)


def hours(sim: Sim, step: int, period: str) -> list[range]:
    """The evaluation steps each subquery step (a whole hour after the period's start, up to step) sums:
    those in its range, 1ms short of the hour. Evaluations run at every step."""
    t = sim.t_ms(step) / 1000
    start = calendar_window.period_start(period, t)
    first = int(start // CALENDAR_STEP) + 1
    ends = [round(h * CALENDAR_STEP * 1000) // sim.step_ms for h in range(first, int(t // CALENDAR_STEP) + 1)]
    return [range(max(sim.oldest_step(end, CALENDAR_HOUR_RANGE), 0), end + 1) for end in ends if end >= 0]


def period_sli(reference, slo: Slo, step: int) -> float | None:
    """slo:sli_error:ratio_rate<nominal> of a calendar SLO: bad over valid events of the period's ended hours,
    each hour's samples summed first (the inner sum_over_time), then the hours (the outer)."""
    bad, valid = [], []
    for hour in hours(reference.sim, step, slo.calendar):
        pairs = [e for k in hour if (e := reference.events(slo, k)) is not None]
        if pairs:
            bad.append(kahan_sum([b for b, _ in pairs]))
            valid.append(kahan_sum([v for _, v in pairs]))
    total = kahan_sum(valid) if valid else 0.0
    if not total > 0:
        return None
    return divide(kahan_sum(bad), total)


def bound(record: str, slo: Slo, sim: Sim, step: int) -> float:
    """slo:calendar_period_start:timestamp or ..._end:timestamp at step: the period's UTC bounds in seconds."""
    t = sim.t_ms(step) / 1000
    if record == CALENDAR_START:
        return calendar_window.period_start(slo.calendar, t)
    return calendar_window.period_end(slo.calendar, t)
