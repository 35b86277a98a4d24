"""The spec's own alerts in raw PromQL: labelled and linked like the generated ones, so routing,
inhibition, runbooks and dashboards treat them alike."""

from __future__ import annotations

import dataclasses

from obsgen.artifacts.prometheus.alerts_common import journey_alert
from obsgen.artifacts.prometheus.types import AlertRule
from obsgen.model import CustomAlert, Journey


def custom_alert(journey: Journey, alert: CustomAlert) -> AlertRule:
    rule = journey_alert(
        journey, name=alert.name, hold=alert.for_, severity=alert.severity, kind="custom",
        stages=(alert.stage,) if alert.stage else (), stage=alert.stage, dependency=alert.dependency,
        expr=alert.expr, summary=alert.summary, description=alert.description, per_dimension=False,
    )
    # The journey's own labels win: the author's extra labels cannot reroute or unlabel the alert.
    labels = dict(alert.labels) | dict(rule.labels)
    return dataclasses.replace(rule, labels=tuple(sorted(labels.items())))


def custom_alerts(journey: Journey) -> list[AlertRule]:
    return [custom_alert(journey, alert) for alert in journey.custom_alerts]
