"""Cause alerts: a dependency is down, or its backlog is (or is about to be) too deep."""

from __future__ import annotations

from obsgen.model import Dependency, Journey
from obsgen.promql import format_duration, format_number
from obsgen.rules.alerts_common import alert_annotations, alert_labels
from obsgen.rules.types import AlertRule


def down_alert(journey: Journey, dep: Dependency) -> AlertRule:
    # max(): down means no healthy instance is left; "or vector(0)": a health series that
    # disappeared (exporter or target gone) counts as down rather than as silence.
    expr = f"(max({dep.health.promql()}) or vector(0)) < 1"
    return AlertRule(
        alert=dep.down_alert_name,
        expr=expr,
        for_=format_duration(dep.health_for),
        labels=alert_labels(journey, "page", dependency=dep.name),
        annotations=alert_annotations(
            journey, dep.down_alert_name,
            f"{dep.title} is down",
            f"{dep.title} ({dep.kind}) has reported no healthy instance for {format_duration(dep.health_for)} "
            f"({dep.health.promql()}). Stages that need it: {', '.join(dep.stages) or 'none directly'}.",
            dependency=dep.name,
        ),
        kind="dependency-down",
        stages=dep.stages,
        dependency=dep.name,
    )


def saturation_alerts(journey: Journey, dep: Dependency) -> list[AlertRule]:
    sat = dep.saturation
    if sat is None:
        return []
    series = sat.selector.promql()
    alerts = [AlertRule(
        alert=sat.alert_name,
        expr=f"max({series}) > {format_number(sat.threshold)}",
        for_=format_duration(sat.for_),
        labels=alert_labels(journey, sat.severity, dependency=dep.name),
        annotations=alert_annotations(
            journey, sat.alert_name,
            f"{dep.title} backlog above {format_number(sat.threshold)}",
            f"{series} is {{{{ $value | humanize }}}}, above {format_number(sat.threshold)}; "
            f"consumers are not keeping up.",
            dependency=dep.name,
        ),
        kind="saturation",
        stages=dep.stages,
        dependency=dep.name,
    )]
    if sat.predicted_alert_name:
        ahead = format_duration(sat.predict_ahead)
        expr = (f"max(predict_linear({series}[{format_duration(sat.predict_range)}], "
                f"{format_number(sat.predict_ahead)})) > {format_number(sat.threshold)}")
        alerts.append(AlertRule(
            alert=sat.predicted_alert_name,
            expr=expr,
            for_=format_duration(sat.for_),
            labels=alert_labels(journey, sat.severity, dependency=dep.name),
            annotations=alert_annotations(
                journey, sat.predicted_alert_name,
                f"{dep.title} backlog predicted above {format_number(sat.threshold)} within {ahead}",
                f"At the trend of the last {format_duration(sat.predict_range)}, {series} reaches "
                f"{{{{ $value | humanize }}}} in {ahead} (limit {format_number(sat.threshold)}).",
                dependency=dep.name,
            ),
            kind="saturation-predicted",
            stages=dep.stages,
            dependency=dep.name,
        ))
    return alerts


def dependency_alerts(journey: Journey) -> list[AlertRule]:
    alerts = []
    for dep in journey.dependencies:
        alerts.append(down_alert(journey, dep))
        alerts.extend(saturation_alerts(journey, dep))
    return alerts
