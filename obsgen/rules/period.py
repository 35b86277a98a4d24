"""The SLO-window error ratio (slo:sli_error:ratio_rate<window>, e.g. ratio_rate30d), weighted by events.

A ratio averaged over time weighs a quiet night's minute like a busy day's: an hour's outage would spend the
same budget whenever it happened. So each SLO records its bad and valid events per second over 5m, and the
window's ratio is the sum of the bad over the sum of the valid (each event counted as often as the other, so
the ratio is errors / valid events, as Pyrra computes it). rate() already copes with counter resets and
scrape gaps. Both run in a slower group (PERIOD_INTERVAL): a 30-day sum changes little in a minute.

Time-slice SLIs (freshness, lag) have no events: their window ratio is the share of bad minutes, the
timeslices budgeting method, read from the indicator the fast group records every minute.
"""

from __future__ import annotations

from obsgen.dimensions import zero_like
from obsgen.model import Journey, Slo
from obsgen.promql import format_duration, rate_sum
from obsgen.rules.histograms import good_rate, valid_rate
from obsgen.rules.sli import (slo_histograms, slo_labels, slo_selector, sli_record_name, sum_terms,
                              timeslice_error_ratio)
from obsgen.rules.types import RecordingRule

BAD_EVENTS = "slo:sli_bad_events:rate5m"
VALID_EVENTS = "slo:sli_valid_events:rate5m"
EVENT_WINDOW = 300.0
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
    The terms and their zero filling are the 5m ratio's (obsgen.rules.sli), so both count the same events."""
    if slo.timeslice is not None:
        return None
    if slo.query is not None:
        return _query_events(slo)
    dims = journey.dims
    if slo.type == "availability":
        stages = [journey.stage(name) for name in slo.stages]
        bad = [rate_sum(s.errors, EVENT_WINDOW, by=dims) for s in stages]
        valid = [rate_sum(s.requests, EVENT_WINDOW, by=dims) for s in stages]
    else:
        histograms = slo_histograms(journey, slo)
        bad = [good_rate(h, slo.threshold, EVENT_WINDOW, dims) for h in histograms]
        valid = [valid_rate(h, EVENT_WINDOW, dims) for h in histograms]
    zero = zero_like(dims, valid)
    valid_sum = sum_terms(valid, None if dims and len(valid) == 1 else zero)
    if slo.type == "availability":
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


def period_rules(journey: Journey, slo: Slo) -> list[RecordingRule]:
    labels = slo_labels(journey, slo)
    events = event_rates(journey, slo)
    rules = [] if events is None else [RecordingRule(BAD_EVENTS, events[0], labels),
                                       RecordingRule(VALID_EVENTS, events[1], labels)]
    return rules + [RecordingRule(sli_record_name(slo.window), period_error_ratio(journey, slo), labels)]
