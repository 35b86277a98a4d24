"""alerts/burn-rate-window: a burn-rate window pair that cannot fire within its SLO window.

A multi-window burn-rate alert (obsgen.lint.burn_rate) fires when both windows' error ratio exceeds
``factor * budget``. Such a pair is no alert when that threshold is 100% or more (no ratio exceeds
it), when its long window is longer than the SLO window, or when ``factor * long window`` exceeds
the SLO window: then it fires only after more than the whole error budget is spent. The SLO window
and budget are read from the ``slo:time_period:days`` and ``slo:error_budget:ratio`` recording rules
whose labels the alert's selector carries (obsgen and Sloth record both); without them only the
threshold is checked. A calendar SLO (obsgen records ``slo:calendar_period_start:timestamp`` for it) is
measured against its shortest period: 28 days for a month (its start rule reads ``day_of_month``), 7 for a
week, since a pair that fits a nominal 30-day month may not fit February.
"""

from __future__ import annotations

from datetime import timedelta

from obsgen.lint.burn_rate import Pair, burn_rate_pairs, constant
from obsgen.lint.check import at
from obsgen.lint.finding import WARNING
from obsgen.promql import format_duration
from obsgen.promql.analysis import find_name_offset, parse

ID = "alerts/burn-rate-window"
SEVERITY = WARNING
TIME_PERIOD_DAYS = "slo:time_period:days"
ERROR_BUDGET = "slo:error_budget:ratio"
CALENDAR_START = "slo:calendar_period_start:timestamp"
SHORTEST_PERIOD_DAYS = {"month": 28.0, "week": 7.0}


def check(ctx):
    for rule in ctx.alerts():
        for pair in burn_rate_pairs(rule.expr) or []:
            days = _calendar_days(ctx, pair) or _slo_constant(ctx, TIME_PERIOD_DAYS, pair)
            problem = _problem(pair, days, _slo_constant(ctx, ERROR_BUDGET, pair))
            if problem:
                offset = find_name_offset(rule.expr, pair.long_metric) if pair.long_metric else None
                pos = rule.expr_pos(offset) if offset is not None else rule.pos
                yield at(rule.path, pos, ID, SEVERITY, f"alert {rule.name!r}: {problem}")


def _problem(pair: Pair, days: float | None, budget: float | None) -> str | None:
    windows = f"{_shown(pair.long)}/{_shown(pair.short)} pair"
    if pair.threshold >= 1:
        return f"the {windows} needs an error ratio above {pair.threshold:.4g} (100% or more): it can never fire"
    if days is None:
        return None
    slo_window = timedelta(days=days)
    if pair.long > slo_window:
        return f"the {windows}'s long window is longer than the SLO window {_shown(slo_window)}"
    if budget:
        share = pair.threshold / budget * (pair.long / slo_window)
        if share > 1:
            return (f"the {windows} at {pair.threshold / budget:.4g}x fires only after {share:.0%} of the "
                    f"{_shown(slo_window)} error budget is spent: it cannot fire within the SLO window")
    return None


def _slo_constant(ctx, record: str, pair: Pair) -> float | None:
    """The constant a recording rule of this name gives the pair's SLO (its labels among the pair's)."""
    for rule in ctx.recordings():
        labels = rule.string_map("labels")
        if rule.name == record and labels and set(labels.items()) <= set(pair.labels):
            ast = parse(rule.expr) if rule.expr else None
            return constant(ast) if ast is not None else None
    return None


def _calendar_days(ctx, pair: Pair) -> float | None:
    """The shortest period of a calendar SLO whose period-start rule carries the pair's labels; None if rolling."""
    for rule in ctx.recordings():
        labels = rule.string_map("labels")
        if rule.name == CALENDAR_START and labels and set(labels.items()) <= set(pair.labels):
            return SHORTEST_PERIOD_DAYS["month" if "day_of_month" in (rule.expr or "") else "week"]
    return None


def _shown(duration: timedelta) -> str:
    return format_duration(duration.total_seconds())
