"""The SLO-window error ratio (slo:sli_error:ratio_rate<window>, e.g. ratio_rate30d), weighted by events.

A ratio averaged over time weighs a quiet night's minute like a busy day's: an hour's outage would spend the
same budget whenever it happened. So each SLO records its bad and valid events per second over 5m, and the
window's ratio is the sum of the bad over the sum of the valid (each event counted as often as the other, so
the ratio is errors / valid events, as Pyrra computes it). rate() already copes with counter resets and
scrape gaps. Both run in a slower group (PERIOD_INTERVAL): a 30-day sum changes little in a minute.

A calendar SLO (slo.calendar) counts since the start of the current month or ISO week instead: the period's
start is recorded first in the group, and the ratio sums the same 5m rates hour by hour over a subquery as long
as the longest period, keeping only the hours after the start read @ end() (docs/error-budgets.md, "Calendar
windows"). It holds no state of its own, so restarts and scrape gaps cost it nothing the TSDB still has.

Time-slice SLIs (freshness, lag) have no events: their window ratio is the share of bad minutes, the
timeslices budgeting method, read from the indicator the fast group records every minute.
"""

from __future__ import annotations

from obsgen import calendar_window
from obsgen.artifacts.prometheus.histograms import good_rate, valid_rate
from obsgen.artifacts.prometheus.sli import (sli_record_name, slo_histograms, slo_labels, slo_selector, sum_terms,
                                             timeslice_error_ratio)
from obsgen.artifacts.prometheus.types import RecordingRule
from obsgen.dimensions import zero_like
from obsgen.model import Journey, Slo, SloType
from obsgen.promql import format_duration, format_number, rate_sum

BAD_EVENTS = "slo:sli_bad_events:rate5m"
VALID_EVENTS = "slo:sli_valid_events:rate5m"
EVENT_WINDOW = 300.0
CALENDAR_START = "slo:calendar_period_start:timestamp"
CALENDAR_END = "slo:calendar_period_end:timestamp"
# A calendar ratio moves in whole hours (period starts are whole hours, so the hours tile the period).
CALENDAR_STEP = 3600.0
# Each hour sums its samples over a range 1ms short of the hour: Prometheus 2.x ranges are closed ([t - 1h, t]),
# and a sample on the hour would count in two hours (rule evaluations land on whole seconds, so no sample is
# lost in 3.x's (t - 1h + 1ms, t]).
CALENDAR_HOUR_RANGE = CALENDAR_STEP - 0.001
# Twice per lookback delta (5m), as Pyrra's slow groups: one late evaluation never leaves readers without a sample.
PERIOD_INTERVAL = "2m30s"


def _difference(total: str, part: str) -> str:
    return f"(\n  {total}\n)\n-\n(\n  {part}\n)"


def _query_events(slo: Slo) -> tuple[str, str]:
    sli, window = slo.query, format_duration(EVENT_WINDOW)
    total = sli.expand(sli.total, window)
    if sli.bad is not None:
        return sli.expand(sli.bad, window), total
    return _difference(total, sli.expand(sli.good, window)), total


def event_rates(journey: Journey, slo: Slo) -> tuple[str, str] | None:
    """PromQL for (bad, valid) events per second over 5m; None for a time-slice SLI, which has no events.
    The terms and their zero filling are the 5m ratio's (obsgen.artifacts.prometheus.sli), so both count the same events."""
    if slo.timeslice is not None:
        return None
    if slo.query is not None:
        return _query_events(slo)
    dims = journey.dims
    if slo.type == SloType.AVAILABILITY:
        stages = [journey.stage(name) for name in slo.stages]
        bad = [rate_sum(s.errors, EVENT_WINDOW, by=dims) for s in stages]
        valid = [rate_sum(s.requests, EVENT_WINDOW, by=dims) for s in stages]
    else:
        histograms = slo_histograms(journey, slo)
        bad = [good_rate(h, slo.threshold, EVENT_WINDOW, dims) for h in histograms]
        valid = [valid_rate(h, EVENT_WINDOW, dims) for h in histograms]
    zero = zero_like(dims, valid)
    valid_sum = sum_terms(valid, None if dims and len(valid) == 1 else zero)
    if slo.type == SloType.AVAILABILITY:
        return sum_terms(bad, zero), valid_sum
    return _difference(valid_sum, sum_terms(bad, zero)), valid_sum  # bad = valid - good


def period_error_ratio(journey: Journey, slo: Slo) -> str:
    """Bad events / valid events over the SLO window (occurrences), or bad minutes / minutes (timeslices)."""
    if slo.budgeting_method == "timeslices":
        return timeslice_error_ratio(journey, slo, slo.window)
    sel, window = slo_selector(journey, slo), format_duration(slo.window)
    # "> 0": a window without valid events has no ratio, rather than NaN.
    return (f"sum_over_time({BAD_EVENTS}{sel}[{window}])\n/\n"
            f"(\n  sum_over_time({VALID_EVENTS}{sel}[{window}])\n  > 0\n)")


def calendar_bounds(period: str) -> tuple[str, str]:
    """PromQL for the UTC start and end (seconds) of the calendar period holding the evaluation time."""
    if period == "week":
        base = (f"floor((vector(time()) - {format_number(calendar_window.FIRST_MONDAY)}) / {format_number(calendar_window.WEEK)})"
                f" * {format_number(calendar_window.WEEK)}")
        return (f"{base} + {format_number(calendar_window.FIRST_MONDAY)}",
                f"{base} + {format_number(calendar_window.FIRST_MONDAY + calendar_window.WEEK)}")
    midnight, day = "floor(vector(time()) / 86400) * 86400", format_number(calendar_window.DAY)
    return (f"{midnight} - (day_of_month() - 1) * {day}",
            f"{midnight} + (days_in_month() - day_of_month() + 1) * {day}")


def _since_period_start(journey: Journey, slo: Slo, record: str) -> str:
    """The recorded 5m rate summed over the hours of the current calendar period that have ended: each
    subquery step sums the samples of its hour, so every sample counts once, as in the rolling sum. Hourly
    steps keep the subquery at 744 steps for a month (promtool's unit tests refuse more than 10000 samples
    a query; 5m steps would be 8928 with the filter on top)."""
    sel = slo_selector(journey, slo)
    after_start = f"vector(time()) > scalar({CALENDAR_START}{sel} @ end())"
    longest, chunk = format_duration(calendar_window.LONGEST[slo.calendar]), format_duration(CALENDAR_STEP)
    return (f"sum_over_time(\n  (\n    sum_over_time({record}{sel}[{format_duration(CALENDAR_HOUR_RANGE)}])\n    and on ()\n    ({after_start})\n  )"
            f"[{longest}:{chunk}]\n)")


def calendar_error_ratio(journey: Journey, slo: Slo) -> str:
    """Bad events / valid events since the calendar period started."""
    return (f"{_since_period_start(journey, slo, BAD_EVENTS)}\n/\n"
            f"(\n{_since_period_start(journey, slo, VALID_EVENTS)}\n  > 0\n)")


def period_rules(journey: Journey, slo: Slo) -> list[RecordingRule]:
    labels = slo_labels(journey, slo)
    events = event_rates(journey, slo)
    rules = [] if events is None else [RecordingRule(BAD_EVENTS, events[0], labels),
                                       RecordingRule(VALID_EVENTS, events[1], labels)]
    if slo.calendar is None:
        return rules + [RecordingRule(sli_record_name(slo.window), period_error_ratio(journey, slo), labels)]
    # The bounds come first: the ratio reads this evaluation's start @ end().
    start, end = calendar_bounds(slo.calendar)
    return rules + [RecordingRule(CALENDAR_START, start, labels), RecordingRule(CALENDAR_END, end, labels),
                    RecordingRule(sli_record_name(slo.window), calendar_error_ratio(journey, slo), labels)]
