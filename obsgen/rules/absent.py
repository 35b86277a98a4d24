"""Absent-data alerts: an SLI whose source series vanished must not look healthy.

Burn-rate alerts compare ratios; when the instrumentation disappears (renamed metric,
target not scraped) those ratios are simply absent and nothing fires. These alerts catch that.
"""

from __future__ import annotations

from obsgen.model import Journey
from obsgen.naming import camel
from obsgen.promql import Selector
from obsgen.rules.alerts_common import alert_annotations, alert_labels
from obsgen.rules.types import AlertRule

ABSENT_FOR = "15m"


def _absent_alert(journey: Journey, name: str, series: Selector, subject: str, stage: str) -> AlertRule:
    return AlertRule(
        alert=name,
        expr=f"absent({series.promql()})",
        for_=ABSENT_FOR,
        labels=alert_labels(journey, "ticket", stage=stage),
        annotations=alert_annotations(
            journey, name,
            f"{subject}: SLI data is missing",
            f"No series matches {series.promql()} for {ABSENT_FOR}: the SLOs built on it cannot be "
            f"evaluated, so their alerts are blind. Check the scrape target and the metric name.",
            stage=stage,
        ),
        kind="absent",
        stages=(stage,) if stage else (),
    )


def absent_alerts(journey: Journey) -> list[AlertRule]:
    """One per stage an SLO reads, plus the journey-time histogram when an SLO uses it."""
    used = {name for slo in journey.slos for name in slo.stages}
    alerts = []
    for stage in journey.stages:
        if stage.name in used:
            series = stage.latency.count if _latency_only(journey, stage.name) else stage.requests
            alerts.append(_absent_alert(journey, stage.data_missing_alert, series, stage.title, stage.name))
    if journey.journey_time and any(slo.type == "journey-time" for slo in journey.slos):
        name = f"{camel(journey.name)}JourneyTimeDataMissing"
        alerts.append(_absent_alert(journey, name, journey.journey_time.count, journey.journey_time_title, ""))
    return alerts


def _latency_only(journey: Journey, stage: str) -> bool:
    return all(slo.type == "latency" for slo in journey.slos if stage in slo.stages)
