"""Symptom alerts on a stage's raw series, as the seed writes them (error rate, slow p95)."""

from __future__ import annotations

from obsgen.model import Journey, Stage
from obsgen.promql import format_duration, format_number, rate_sum
from obsgen.rules.alerts_common import alert_annotations, alert_labels
from obsgen.rules.types import AlertRule


def error_rate_alert(journey: Journey, stage: Stage) -> AlertRule | None:
    alert = stage.error_rate_alert
    if alert is None:
        return None
    expr = (f"{rate_sum(alert.errors, alert.window)}\n/\n{rate_sum(stage.requests, alert.window)}\n"
            f"> {format_number(alert.threshold)}")
    return AlertRule(
        alert=alert.name,
        expr=expr,
        for_=format_duration(alert.for_),
        labels=alert_labels(journey, alert.severity, stage=stage.name),
        annotations=alert_annotations(
            journey, alert.name,
            f"{stage.title}: error rate above {format_number(alert.threshold * 100)}%",
            f"{{{{ $value | humanizePercentage }}}} of {stage.title} events failed over the last "
            f"{format_duration(alert.window)} (threshold {format_number(alert.threshold * 100)}%).",
            stage=stage.name,
        ),
        kind="error-rate",
        stages=(stage.name,),
    )


def latency_alert(journey: Journey, stage: Stage) -> AlertRule | None:
    alert = stage.latency_alert
    if alert is None or stage.latency is None:
        return None
    quantile = format_number(alert.quantile)
    by_le = rate_sum(stage.latency.bucket, alert.window, by=("le",))
    expr = f"histogram_quantile({quantile}, {by_le})\n> {format_number(alert.threshold)}"
    percentile = f"p{format_number(alert.quantile * 100)}"
    return AlertRule(
        alert=alert.name,
        expr=expr,
        for_=format_duration(alert.for_),
        labels=alert_labels(journey, alert.severity, stage=stage.name),
        annotations=alert_annotations(
            journey, alert.name,
            f"{stage.title}: {percentile} latency above {format_duration(alert.threshold)}",
            f"{stage.title} {percentile} latency is {{{{ $value | humanizeDuration }}}} over the last "
            f"{format_duration(alert.window)} (threshold {format_duration(alert.threshold)}).",
            stage=stage.name,
        ),
        kind="latency",
        stages=(stage.name,),
    )


def stage_alerts(journey: Journey) -> list[AlertRule]:
    alerts = []
    for stage in journey.stages:
        alerts.extend(a for a in (error_rate_alert(journey, stage), latency_alert(journey, stage)) if a)
    return alerts
