"""PromQL the panels run. Panels read the core's recording rules, so a dashboard load stays cheap;
only exemplars and counters-over-a-day need raw series.

Names come from ``obsgen.artifacts.prometheus`` so the dashboard and the rules cannot drift apart.
"""

from __future__ import annotations

import dataclasses

from obsgen.artifacts.prometheus import dashboard_series as series, histograms, period, slo_meta
from obsgen.artifacts.prometheus.sli import sli_record_name
from obsgen.dimensions import aggregate
from obsgen.model import Health, Histogram, Journey, Saturation, Slo
from obsgen.promql import Matcher, Selector, format_duration, format_number, label_name, string_literal

RATE_INTERVAL = "$__rate_interval"
STAGE_VAR, SLO_VAR, DEPENDENCY_VAR = "stage", "slo", "dependency"
RECORDED_QUANTILES = series.QUANTILES
RECORDED_WINDOW = series.WINDOW


def _labels(**labels: str) -> str:
    return ",".join(f"{k}={string_literal(v)}" for k, v in labels.items())


# SLO metadata with one series per SLO whatever the dimensions: never filtered by a dimension variable.
_UNDIMENSIONED = (slo_meta.OBJECTIVE, slo_meta.ERROR_BUDGET, slo_meta.TIME_PERIOD_DAYS, slo_meta.BURN_RATE_THRESHOLD,
                  period.CALENDAR_START, period.CALENDAR_END)


def dimension_filter(journey: Journey) -> str:
    """`,cluster=~"$cluster"` for each of the journey's dimensions (spec.by): the variable of the same name."""
    return "".join(f',{label_name(d)}=~"${d}"' for d in journey.dims)


def _dims(journey: Journey, record: str) -> str:
    return "" if record in _UNDIMENSIONED else dimension_filter(journey)


def filtered(journey: Journey, selector: Selector) -> Selector:
    """A raw selector narrowed to the dimension values the dashboard's variables select."""
    return selector.with_matchers(*(Matcher(d, "=~", f"${d}") for d in journey.dims))


def filtered_histogram(journey: Journey, histogram: Histogram) -> Histogram:
    return dataclasses.replace(histogram, matchers=filtered(journey, histogram.series).matchers)


def health_up(journey: Journey, health: Health) -> str:
    """A dependency's 0/1 health as its down alert reads it, per selected dimension value."""
    return dataclasses.replace(health, selector=filtered(journey, health.selector)).up(journey.dims)


def saturation_value(journey: Journey, sat: Saturation) -> str:
    denominator = sat.denominator and filtered(journey, sat.denominator)
    narrowed = dataclasses.replace(sat, selector=filtered(journey, sat.selector), denominator=denominator)
    return narrowed.value(journey.dims)


def stage_series(journey: Journey, record: str, stage: str) -> str:
    return f"{record}{{{_labels(journey=journey.name, stage=stage)}{_dims(journey, record)}}}"


def selected_stages(journey: Journey, record: str) -> str:
    """One recorded series per stage picked in the ``stage`` variable."""
    return f'{record}{{{_labels(journey=journey.name)},stage=~"${STAGE_VAR}"{_dims(journey, record)}}}'


def journey_series(journey: Journey, record: str) -> str:
    return f"{record}{{{_labels(journey=journey.name)}{_dims(journey, record)}}}"


def slo_series(journey: Journey, record: str, slo: Slo) -> str:
    return f"{record}{{{_labels(journey=journey.name, slo=slo.name)}{_dims(journey, record)}}}"


def selected_slos(journey: Journey, record: str) -> str:
    return f'{record}{{{_labels(journey=journey.name)},slo=~"${SLO_VAR}"{_dims(journey, record)}}}'


def requests(journey: Journey, stage: str) -> str:
    return stage_series(journey, series.STAGE_REQUESTS, stage)


def latency(journey: Journey, stage: str, quantile: float) -> str:
    return stage_series(journey, series.quantile_name(series.STAGE_LATENCY, quantile), stage)


def journey_time(journey: Journey, quantile: float) -> str:
    return journey_series(journey, series.quantile_name(series.JOURNEY_TIME, quantile))


def raw_quantile(journey: Journey, histogram: Histogram, quantile: float) -> str:
    """From raw buckets, in the histogram's unit: the only way to get exemplars (recording rules drop them).
    Over the dimension values selected, together: the line only carries the exemplars."""
    return histograms.raw_quantile(filtered_histogram(journey, histogram), quantile, RATE_INTERVAL)


def recorded_quantile(objective: float) -> float:
    """The recorded quantile closest to an SLO's objective from above (p95 for a 95 % objective)."""
    above = [q for q in RECORDED_QUANTILES if q >= objective - 1e-9]
    return min(above) if above else max(RECORDED_QUANTILES)


def sli(journey: Journey, slo: Slo, window: float) -> str:
    return f"1 - {slo_series(journey, sli_record_name(window), slo)}"


def burn_rate(journey: Journey, slo: Slo, window: float) -> str:
    """The error ratio over a window in units of the error budget, as the burn-rate alerts compare it."""
    budget = slo_series(journey, slo_meta.ERROR_BUDGET, slo)
    join = "on (journey, slo) group_left" if journey.dims else "on (journey, slo)"
    return f"{slo_series(journey, sli_record_name(window), slo)}\n/ {join}\n{budget}"


def budget_time_left(journey: Journey, slo: Slo, window: float) -> str:
    """Seconds until the budget left is spent at the burn rate of a window, as the budget forecast alert
    computes it (obsgen.artifacts.prometheus.budget): left * SLO window / burn rate."""
    left = slo_series(journey, slo_meta.BUDGET_REMAINING, slo)
    return f"{left} * {format_number(slo.window)}\n/\n(\n{burn_rate(journey, slo, window)}\n)"


def ideal_budget_left(journey: Journey, slo: Slo) -> str:
    """The budget left if it were spent evenly from the start of a panel spanning one SLO window: 100% at the
    start, 0% at the end. The panel's end is the timestamp of a constant series @ end(), so no Grafana
    variable is needed."""
    if slo.calendar is not None:
        # The period holding each moment (recorded bounds): 100% at its start, 0% at its end, reset at the next.
        start, end = (slo_series(journey, record, slo) for record in (period.CALENDAR_START, period.CALENDAR_END))
        return f"({end} - time()) / ({end} - {start})"
    end = f"timestamp({slo_series(journey, slo_meta.OBJECTIVE, slo)} @ end())"
    return f"({end} - time()) / {format_number(slo.window)}"


def counter_total(journey: Journey, record: str) -> str:
    """Events over the panel's time range, from a recorded 5m rate: each 5m sample times 300 s counts
    the events of its 5 minutes, and the samples of a [range:5m] subquery do not overlap."""
    window = format_duration(RECORDED_WINDOW)
    inner = f"sum_over_time({journey_series(journey, record)}[$__range:{window}])"
    return f"{aggregate('sum', journey.dims, inner)} * {format_number(RECORDED_WINDOW)}"
