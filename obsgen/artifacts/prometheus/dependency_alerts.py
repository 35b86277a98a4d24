"""Cause alerts: a dependency is down, or one of its saturation signals (a backlog, a pool) is (or is about
to be) too high.

A dependency only one journey needs gets journey alerts; one that several journeys of the build
share gets the same alerts once, without a journey label (``shared_alert``), listing every journey.
"""

from __future__ import annotations

from functools import partial
from typing import Callable

from obsgen.artifacts.prometheus.alerts_common import journey_alert, shared_alert, template_literal
from obsgen.artifacts.prometheus.types import AlertRule
from obsgen.dimensions import aggregate
from obsgen.model import Dependency, DependencySignals, Journey, Saturation, SharedDependency
from obsgen.promql import format_duration, format_number

# journey_alert or shared_alert with its first argument bound.
MakeAlert = Callable[..., AlertRule]


def down_alert(make: MakeAlert, dep: DependencySignals, stages: tuple[str, ...], needed_by: str,
               dims: tuple[str, ...] = ()) -> AlertRule:
    # max(): down means no healthy instance is left; "or vector(0)": a health series that
    # disappeared (exporter or target gone) counts as down rather than as silence.
    return make(
        name=dep.down_alert_name, hold=dep.health_for, severity="page", kind="dependency-down",
        stages=stages, dependency=dep.name,
        expr=f"({dep.health.up(dims)}) < 1",
        summary=f"{dep.title} is down",
        description=(f"{dep.title} ({dep.kind}) has reported no healthy instance for {format_duration(dep.health_for)} "
                     f"({template_literal(dep.health.healthy())}). {needed_by}"),
    )


def saturation_alerts(make: MakeAlert, dep: DependencySignals, stages: tuple[str, ...],
                      dims: tuple[str, ...] = ()) -> list[AlertRule]:
    alerts = []
    for sat in dep.saturations:
        alerts += _saturation_alerts(make, dep, sat, stages, dims)
    return alerts


def _saturation_alerts(make: MakeAlert, dep: DependencySignals, sat: Saturation,
                       stages: tuple[str, ...], dims: tuple[str, ...]) -> list[AlertRule]:
    value = sat.value(dims)
    limit = format_number(sat.threshold)
    common = dict(hold=sat.for_, severity=sat.severity, stages=stages, dependency=dep.name)
    alerts = [make(
        name=sat.alert_name, kind="saturation", **common,
        expr=f"{value} > {limit}",
        summary=f"{dep.title} {sat.title} above {limit}",
        description=f"{sat.shown()} is {{{{ $value | humanize }}}}, above {limit}; {sat.meaning}.",
    )]
    if sat.predicted_alert_name:
        series = sat.selector.promql()
        ahead = format_duration(sat.predict_ahead)
        alerts.append(make(
            name=sat.predicted_alert_name, kind="saturation-predicted", **common,
            expr=(aggregate("max", dims, f"predict_linear({series}[{format_duration(sat.predict_range)}], "
                                          f"{format_number(sat.predict_ahead)})") + f" > {limit}"),
            summary=f"{dep.title} {sat.title} predicted above {limit} within {ahead}",
            description=(f"At the trend of the last {format_duration(sat.predict_range)}, {series} reaches "
                         f"{{{{ $value | humanize }}}} in {ahead} (limit {limit})."),
        ))
    return alerts


def journey_dependency_alerts(journey: Journey, dep: Dependency) -> list[AlertRule]:
    make = partial(journey_alert, journey)
    needed_by = f"Stages that need it: {', '.join(dep.stages) or 'none directly'}."
    dims = journey.dims
    return [down_alert(make, dep, dep.stages, needed_by, dims)] + saturation_alerts(make, dep, dep.stages, dims)


# An annotation travels with every notification: past this many journeys, the index dashboard lists the rest.
LISTED_JOURNEYS = 10


def shared_dependency_alerts(dep: SharedDependency) -> list[AlertRule]:
    make = partial(shared_alert, dep)
    listed = [f"{use.journey} ({', '.join(use.stages) or 'no stage directly'})" for use in dep.users[:LISTED_JOURNEYS]]
    more = len(dep.users) - len(listed)
    needed_by = (f"Journeys that need it ({len(dep.users)}): " + "; ".join(listed)
                 + (f"; and {more} more (see the dashboard)." if more else "."))
    return [down_alert(make, dep, (), needed_by)] + saturation_alerts(make, dep, ())


def dependency_alerts(journey: Journey) -> list[AlertRule]:
    """The cause alerts that concern the journey, its shared dependencies' included."""
    alerts = []
    for dep in journey.dependencies:
        if dep.shared is None:
            alerts.extend(journey_dependency_alerts(journey, dep))
        else:
            alerts.extend(shared_dependency_alerts(dep.shared))
    return alerts
