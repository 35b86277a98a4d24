"""Per-stage and journey-level recording rules the dashboards read, so panels stay cheap."""

from __future__ import annotations

from obsgen.model import Histogram, Journey
from obsgen.promql import format_number, rate_sum
from obsgen.rules.histograms import quantile_seconds
from obsgen.rules.types import RecordingRule

WINDOW = 300.0
QUANTILES = (0.5, 0.95, 0.99)

STAGE_REQUESTS = "journey_stage:requests:rate5m"
STAGE_ERRORS = "journey_stage:errors:rate5m"
STAGE_ERROR_RATIO = "journey_stage:errors:ratio_rate5m"
STAGE_LATENCY = "journey_stage:latency_seconds:p{q}_rate5m"
JOURNEY_TIME = "journey:journey_time_seconds:p{q}_rate5m"


def quantile_name(template: str, quantile: float) -> str:
    return template.format(q=format_number(quantile * 100))


def _quantile(histogram: Histogram, quantile: float) -> str:
    return quantile_seconds(histogram, quantile, WINDOW)


def stage_rules(journey: Journey) -> list[RecordingRule]:
    rules = []
    for stage in journey.stages:
        labels = (("journey", journey.name), ("stage", stage.name))
        rules.append(RecordingRule(STAGE_REQUESTS, rate_sum(stage.requests, WINDOW), labels))
        # Errors that never happened have no series yet; a stage with traffic has zero errors then.
        rules.append(RecordingRule(STAGE_ERRORS, f"{rate_sum(stage.errors, WINDOW)} or vector(0)", labels))
        rules.append(RecordingRule(
            STAGE_ERROR_RATIO,
            f"({rate_sum(stage.errors, WINDOW)} or vector(0))\n/\n({rate_sum(stage.requests, WINDOW)} > 0)",
            labels,
        ))
        if stage.latency is not None:
            for q in QUANTILES:
                rules.append(RecordingRule(quantile_name(STAGE_LATENCY, q), _quantile(stage.latency, q), labels))
    if journey.journey_time is not None:
        labels = (("journey", journey.name),)
        for q in QUANTILES:
            rules.append(RecordingRule(quantile_name(JOURNEY_TIME, q), _quantile(journey.journey_time, q), labels))
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
        expr = rate_sum(metric.selector, WINDOW, by=metric.by)
        rules.append(RecordingRule(business_record_name(metric.selector.metric, metric.by), expr,
                                   (("journey", journey.name),)))
    return rules
