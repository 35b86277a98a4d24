"""Absent-data alerts: an SLI whose source series vanished must not look healthy.

Burn-rate alerts compare ratios; when the instrumentation disappears (renamed metric,
target not scraped) those ratios are simply absent and nothing fires. These alerts catch that.
"""

from __future__ import annotations

from obsgen.artifacts.prometheus.alerts_common import journey_alert, template_literal
from obsgen.artifacts.prometheus.types import AlertRule
from obsgen.model import Journey, SloType
from obsgen.naming import camel
from obsgen.promql import Selector, format_duration

ABSENT_FOR = 900.0


def _absent_alert(journey: Journey, name: str, series: Selector, subject: str, stage: str) -> AlertRule:
    return journey_alert(
        journey, name=name, hold=ABSENT_FOR, severity="ticket", kind="absent",
        stages=(stage,) if stage else (), stage=stage, per_dimension=False,
        expr=f"absent({series.promql()})",
        summary=f"{subject}: SLI data is missing",
        description=(f"No series matches {template_literal(series.promql())} for {format_duration(ABSENT_FOR)}: the SLOs built on it "
                     f"cannot be evaluated, so their alerts are blind. Check the scrape target and the metric name."),
    )


def absent_alerts(journey: Journey) -> list[AlertRule]:
    """One per stage an SLO reads, plus the journey-time histogram when an SLO uses it."""
    # Raw and time-slice SLOs name stages for the impact map only: they read no stage series.
    used = {name for slo in journey.slos if slo.query is None and slo.timeslice is None for name in slo.stages}
    alerts = []
    for stage in journey.stages:
        if stage.name in used:
            series = stage.latency.count if _latency_only(journey, stage.name) else stage.requests
            alerts.append(_absent_alert(journey, stage.data_missing_alert, series, stage.title, stage.name))
    if journey.journey_time and any(slo.type == SloType.JOURNEY_TIME for slo in journey.slos):
        name = f"{camel(journey.name)}JourneyTimeDataMissing"
        alerts.append(_absent_alert(journey, name, journey.journey_time.count, journey.journey_time_title, ""))
    return alerts


def _latency_only(journey: Journey, stage: str) -> bool:
    return all(slo.type == SloType.LATENCY for slo in journey.slos if stage in slo.stages
               and slo.query is None and slo.timeslice is None)
