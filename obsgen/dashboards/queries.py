"""PromQL the panels run. Panels read the core's recording rules, so a dashboard load stays cheap;
only exemplars and counters-over-a-day need raw series.

Names come from ``obsgen.rules`` so the dashboard and the rules cannot drift apart.
"""

from __future__ import annotations

from obsgen.model import Histogram, Journey, Slo
from obsgen.promql import format_duration, format_number, string_literal
from obsgen.rules import dashboard_series as series
from obsgen.rules import histograms
from obsgen.rules import slo_meta
from obsgen.rules.sli import sli_record_name

RATE_INTERVAL = "$__rate_interval"
STAGE_VAR, SLO_VAR, DEPENDENCY_VAR = "stage", "slo", "dependency"
RECORDED_QUANTILES = series.QUANTILES
RECORDED_WINDOW = series.WINDOW


def _labels(**labels: str) -> str:
    return ",".join(f"{k}={string_literal(v)}" for k, v in labels.items())


def stage_series(journey: Journey, record: str, stage: str) -> str:
    return f"{record}{{{_labels(journey=journey.name, stage=stage)}}}"


def selected_stages(journey: Journey, record: str) -> str:
    """One recorded series per stage picked in the ``stage`` variable."""
    return f'{record}{{{_labels(journey=journey.name)},stage=~"${STAGE_VAR}"}}'


def journey_series(journey: Journey, record: str) -> str:
    return f"{record}{{{_labels(journey=journey.name)}}}"


def slo_series(journey: Journey, record: str, slo: Slo) -> str:
    return f"{record}{{{_labels(journey=journey.name, slo=slo.name)}}}"


def selected_slos(journey: Journey, record: str) -> str:
    return f'{record}{{{_labels(journey=journey.name)},slo=~"${SLO_VAR}"}}'


def requests(journey: Journey, stage: str) -> str:
    return stage_series(journey, series.STAGE_REQUESTS, stage)


def latency(journey: Journey, stage: str, quantile: float) -> str:
    return stage_series(journey, series.quantile_name(series.STAGE_LATENCY, quantile), stage)


def journey_time(journey: Journey, quantile: float) -> str:
    return journey_series(journey, series.quantile_name(series.JOURNEY_TIME, quantile))


def raw_quantile(histogram: Histogram, quantile: float) -> str:
    """From raw buckets, in the histogram's unit: the only way to get exemplars (recording rules drop them)."""
    return histograms.raw_quantile(histogram, quantile, RATE_INTERVAL)


def recorded_quantile(objective: float) -> float:
    """The recorded quantile closest to an SLO's objective from above (p95 for a 95 % objective)."""
    above = [q for q in RECORDED_QUANTILES if q >= objective - 1e-9]
    return min(above) if above else max(RECORDED_QUANTILES)


def sli(journey: Journey, slo: Slo, window: float) -> str:
    return f"1 - {slo_series(journey, sli_record_name(window), slo)}"


def burn_rate(journey: Journey, slo: Slo, window: float) -> str:
    """The error ratio over a window in units of the error budget, as the burn-rate alerts compare it."""
    budget = slo_series(journey, slo_meta.ERROR_BUDGET, slo)
    return f"{slo_series(journey, sli_record_name(window), slo)}\n/ on (journey, slo)\n{budget}"


def counter_total(journey: Journey, record: str) -> str:
    """Events over the panel's time range, from a recorded 5m rate: each 5m sample times 300 s counts
    the events of its 5 minutes, and the samples of a [range:5m] subquery do not overlap."""
    window = format_duration(RECORDED_WINDOW)
    return (f"sum(sum_over_time({journey_series(journey, record)}[$__range:{window}]))"
            f" * {format_number(RECORDED_WINDOW)}")
