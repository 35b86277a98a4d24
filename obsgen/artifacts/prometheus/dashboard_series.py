"""Per-stage and journey-level recording rules the dashboards read, so panels stay cheap."""

from __future__ import annotations

from obsgen.artifacts.prometheus.histograms import quantile_seconds
from obsgen.artifacts.prometheus.types import RecordingRule
from obsgen.dimensions import zero_like
from obsgen.model import Histogram, Journey
from obsgen.promql import format_number, rate_sum

WINDOW = 300.0
QUANTILES = (0.5, 0.95, 0.99)

STAGE_REQUESTS = "journey_stage:requests:rate5m"
STAGE_ERRORS = "journey_stage:errors:rate5m"
STAGE_ERROR_RATIO = "journey_stage:errors:ratio_rate5m"
STAGE_LATENCY = "journey_stage:latency_seconds:p{q}_rate5m"
JOURNEY_TIME = "journey:journey_time_seconds:p{q}_rate5m"


def quantile_name(template: str, quantile: float) -> str:
    return template.format(q=format_number(quantile * 100))


def _quantile(histogram: Histogram, quantile: float, dims: tuple[str, ...]) -> str:
    return quantile_seconds(histogram, quantile, WINDOW, dims)


def stage_rules(journey: Journey) -> list[RecordingRule]:
    rules = []
    dims = journey.dims
    for stage in journey.stages:
        labels = (("journey", journey.name), ("stage", stage.name))
        requests = rate_sum(stage.requests, WINDOW, by=dims)
        errors = rate_sum(stage.errors, WINDOW, by=dims)
        # Errors that never happened have no series yet; a stage with traffic has zero errors then.
        zero = zero_like(dims, [requests])
        rules.append(RecordingRule(STAGE_REQUESTS, requests, labels))
        rules.append(RecordingRule(STAGE_ERRORS, f"{errors} or {zero}", labels))
        rules.append(RecordingRule(STAGE_ERROR_RATIO, f"({errors} or {zero})\n/\n({requests} > 0)", labels))
        if stage.latency is not None:
            for q in QUANTILES:
                rules.append(RecordingRule(quantile_name(STAGE_LATENCY, q), _quantile(stage.latency, q, dims), labels))
    if journey.journey_time is not None:
        labels = (("journey", journey.name),)
        for q in QUANTILES:
            rules.append(RecordingRule(quantile_name(JOURNEY_TIME, q), _quantile(journey.journey_time, q, dims), labels))
    return rules


def business_record_name(metric_name: str, by: tuple[str, ...]) -> str:
    base = metric_name[:-len("_total")] if metric_name.endswith("_total") else metric_name
    level = "_".join(("journey",) + by)
    return f"{level}:{base}:rate5m"


def business_rules(journey: Journey) -> list[RecordingRule]:
    rules = []
    for metric in journey.business:
        if metric.type != "counter":
            continue
        # The journey's dimensions join the metric's own grouping (each label once); the record name
        # keeps naming the metric's own grouping, so it reads the same with or without dimensions.
        by = metric.by + tuple(d for d in journey.dims if d not in metric.by)
        expr = rate_sum(metric.selector, WINDOW, by=by)
        rules.append(RecordingRule(business_record_name(metric.selector.metric, metric.by), expr,
                                   (("journey", journey.name),)))
    return rules
