"""Cause alerts: a dependency is down, or its backlog is (or is about to be) too deep."""

from __future__ import annotations

from obsgen.model import Dependency, Journey
from obsgen.promql import format_duration, format_number
from obsgen.rules.alerts_common import journey_alert
from obsgen.rules.types import AlertRule


def down_alert(journey: Journey, dep: Dependency) -> AlertRule:
    # max(): down means no healthy instance is left; "or vector(0)": a health series that
    # disappeared (exporter or target gone) counts as down rather than as silence.
    return journey_alert(
        journey, name=dep.down_alert_name, hold=dep.health_for, severity="page", kind="dependency-down",
        stages=dep.stages, dependency=dep.name,
        expr=f"(max({dep.health.promql()}) or vector(0)) < 1",
        summary=f"{dep.title} is down",
        description=(f"{dep.title} ({dep.kind}) has reported no healthy instance for {format_duration(dep.health_for)} "
                     f"({dep.health.promql()}). Stages that need it: {', '.join(dep.stages) or 'none directly'}."),
    )


def saturation_alerts(journey: Journey, dep: Dependency) -> list[AlertRule]:
    sat = dep.saturation
    if sat is None:
        return []
    series = sat.selector.promql()
    limit = format_number(sat.threshold)
    common = dict(hold=sat.for_, severity=sat.severity, stages=dep.stages, dependency=dep.name)
    alerts = [journey_alert(
        journey, name=sat.alert_name, kind="saturation", **common,
        expr=f"max({series}) > {limit}",
        summary=f"{dep.title} backlog above {limit}",
        description=f"{series} is {{{{ $value | humanize }}}}, above {limit}; consumers are not keeping up.",
    )]
    if sat.predicted_alert_name:
        ahead = format_duration(sat.predict_ahead)
        alerts.append(journey_alert(
            journey, name=sat.predicted_alert_name, kind="saturation-predicted", **common,
            expr=(f"max(predict_linear({series}[{format_duration(sat.predict_range)}], "
                  f"{format_number(sat.predict_ahead)})) > {limit}"),
            summary=f"{dep.title} backlog predicted above {limit} within {ahead}",
            description=(f"At the trend of the last {format_duration(sat.predict_range)}, {series} reaches "
                         f"{{{{ $value | humanize }}}} in {ahead} (limit {limit})."),
        ))
    return alerts


def dependency_alerts(journey: Journey) -> list[AlertRule]:
    alerts = []
    for dep in journey.dependencies:
        alerts.append(down_alert(journey, dep))
        alerts.extend(saturation_alerts(journey, dep))
    return alerts
