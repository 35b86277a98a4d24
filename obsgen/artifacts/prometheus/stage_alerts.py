"""Symptom alerts on a stage's raw series, as the seed writes them (error rate, slow p95)."""

from __future__ import annotations

from obsgen.artifacts.prometheus.alerts_common import journey_alert, template_literal
from obsgen.artifacts.prometheus.histograms import quantile_seconds
from obsgen.artifacts.prometheus.types import AlertRule
from obsgen.dimensions import aggregate
from obsgen.model import Journey, Stage
from obsgen.promql import format_duration, format_number, rate_sum


def error_rate_alert(journey: Journey, stage: Stage) -> AlertRule | None:
    alert = stage.error_rate_alert
    if alert is None:
        return None
    percent = format_number(alert.threshold * 100)
    return journey_alert(
        journey, name=alert.name, hold=alert.for_, severity=alert.severity, kind="error-rate",
        stages=(stage.name,), stage=stage.name,
        expr=(f"{rate_sum(alert.errors, alert.window, by=journey.dims)}\n/\n"
              f"{rate_sum(stage.requests, alert.window, by=journey.dims)}\n"
              f"> {format_number(alert.threshold)}"),
        summary=f"{stage.title}: error rate above {percent}%",
        description=(f"{{{{ $value | humanizePercentage }}}} of {stage.title} events failed over the last "
                     f"{format_duration(alert.window)} (threshold {percent}%)."),
    )


def latency_alert(journey: Journey, stage: Stage) -> AlertRule | None:
    alert = stage.latency_alert
    if alert is None or stage.latency is None:
        return None
    percentile = f"p{format_number(alert.quantile * 100)}"
    threshold = format_duration(alert.threshold)
    return journey_alert(
        journey, name=alert.name, hold=alert.for_, severity=alert.severity, kind="latency",
        stages=(stage.name,), stage=stage.name,
        expr=(f"{quantile_seconds(stage.latency, alert.quantile, alert.window, journey.dims)}\n"
              f"> {format_number(alert.threshold)}"),
        summary=f"{stage.title}: {percentile} latency above {threshold}",
        description=(f"{stage.title} {percentile} latency is {{{{ $value | humanizeDuration }}}} over the last "
                     f"{format_duration(alert.window)} (threshold {threshold})."),
    )


def failures_alert(journey: Journey, stage: Stage) -> AlertRule | None:
    """Count-based, for batch jobs: a job that runs once a day has too few events for a ratio to mean much."""
    alert = stage.failures_alert
    if alert is None:
        return None
    window = format_duration(alert.window)
    allowed = "no failure" if alert.threshold == 0 else f"at most {alert.threshold} failures"
    return journey_alert(
        journey, name=alert.name, hold=alert.for_, severity=alert.severity, kind="failures",
        stages=(stage.name,), stage=stage.name,
        expr=f"{aggregate('sum', journey.dims, f'increase({alert.failures.promql()}[{window}])')} > {alert.threshold}",
        summary=f"{stage.title}: failures in the last {window}",
        description=(f"{stage.title} failed {{{{ $value | humanize }}}} times over the last {window} "
                     f"({template_literal(alert.failures.promql())}); {allowed} allowed."),
    )


def stage_alerts(journey: Journey) -> list[AlertRule]:
    alerts = []
    for stage in journey.stages:
        candidates = (error_rate_alert(journey, stage), latency_alert(journey, stage), failures_alert(journey, stage))
        alerts.extend(a for a in candidates if a)
    return alerts
