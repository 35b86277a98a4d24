"""Resolve the journeys of one build into a fleet: one name per journey, one definition per shared
dependency, and one set of cause alerts for each dependency several journeys need.

A dependency is shared when two or more journeys declare it under the same name. They must then
agree on what it is (kind, health signal, saturation signals): one PostgreSQL has one health series
and pages once, whichever journeys it takes down. Two names for one health signal are refused for
the same reason: the down alert would page twice under two names.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Sequence

from obsgen.errors import Diagnostic, SpecError
from obsgen.model import Dependency, DependencyUse, Fleet, Health, Journey, Location, Saturation, SharedDependency
from obsgen.naming import camel, down_alert_name, saturation_alert_names
from obsgen.promql import format_duration

INDEX_UID = "obsgen-journeys"
# The name the fleet's own output goes by where journeys' go by theirs (delivery targets: Kubernetes
# objects, Mimir namespaces; the index dashboard's file), so no journey may take it.
FLEET_NAME = "obsgen-fleet"
INDEX_SLUG = "journeys"


def resolve_fleet(journeys: Sequence[Journey]) -> Fleet:
    """The fleet of these journeys; SpecError (every problem, with positions) when they disagree."""
    ordered = sorted(journeys, key=lambda j: j.name)
    problems = _duplicate_journeys(ordered) + _conflicting_definitions(ordered) + _one_signal_two_names(ordered)
    if problems:
        raise SpecError(problems)
    base_url = ordered[0].dashboard_base_url if ordered else ""
    index_url = f"{base_url.rstrip('/')}/d/{INDEX_UID}/{INDEX_SLUG}"
    shared = {name: _shared(name, uses, index_url) for name, uses in _uses(ordered).items() if len(uses) > 1}
    problems = _alert_name_clashes(ordered, shared) + _one_alert_name_in_two_journeys(ordered, shared)
    if problems:
        raise SpecError(problems)
    resolved = tuple(_with_shared(journey, shared) for journey in ordered)
    return Fleet(resolved, tuple(shared[name] for name in sorted(shared)), INDEX_UID, base_url)


def _uses(journeys: Sequence[Journey]) -> dict[str, list[tuple[Journey, Dependency]]]:
    uses: dict[str, list[tuple[Journey, Dependency]]] = defaultdict(list)
    for journey in journeys:
        for dep in journey.dependencies:
            uses[dep.name].append((journey, dep))
    return dict(uses)


def _at(location: Location | None, journey: Journey, message: str) -> Diagnostic:
    where = location or Location(journey.source, 1, 1)
    return Diagnostic(where.file, where.line, where.column, message)


def _duplicate_journeys(journeys: Sequence[Journey]) -> list[Diagnostic]:
    first: dict[str, Journey] = {}
    problems = []
    for journey in journeys:
        if journey.name == FLEET_NAME:
            problems.append(_at(journey.declared_at, journey, f"journey name {FLEET_NAME!r} is reserved for the "
                                                              f"output journeys share (generated/_fleet/)"))
        elif journey.name in first:
            problems.append(_at(journey.declared_at, journey,
                                f"journey name {journey.name!r} is also used by {first[journey.name].declared_at}; "
                                f"each journey is written to its own generated/<name>/, so names must differ"))
        else:
            first[journey.name] = journey
    return problems


def definition(dep: Dependency) -> tuple:
    """What makes two declarations the same system: the per-journey alert names do not count."""
    saturations = tuple(dataclasses.replace(s, alert_name="", predicted_alert_name=None) for s in dep.saturations)
    return (dep.kind, dep.health, dep.health_for, saturations)


def _difference(here: Dependency, there: Dependency) -> tuple[str, str]:
    """How two declarations differ, as (here, there)."""
    if here.kind != there.kind:
        return f"kind {here.kind!r}", f"kind {there.kind!r}"
    if here.health != there.health:
        return f"health signal {here.health.healthy()}", f"{there.health.healthy()}"
    if here.health_for != there.health_for:
        return f"health for {format_duration(here.health_for)}", f"{format_duration(there.health_for)}"
    return "other saturation signals", "its own"


def _conflicting_definitions(journeys: Sequence[Journey]) -> list[Diagnostic]:
    problems = []
    for name, uses in _uses(journeys).items():
        (_, reference), *others = uses
        for journey, dep in others:
            if definition(dep) != definition(reference):
                here, there = _difference(dep, reference)
                problems.append(_at(dep.declared_at, journey,
                                    f"dependency {name!r} is declared here with {here}, but at "
                                    f"{reference.declared_at} with {there}: journeys that share a dependency "
                                    f"must declare it alike (rename one if they are two systems)"))
    return problems


def _one_signal_two_names(journeys: Sequence[Journey]) -> list[Diagnostic]:
    by_signal: dict[Health, tuple[Journey, Dependency]] = {}
    problems = []
    for journey in journeys:
        for dep in journey.dependencies:
            signal = dep.health
            if signal in by_signal and by_signal[signal][1].name != dep.name:
                other = by_signal[signal][1]
                problems.append(_at(dep.declared_at, journey,
                                    f"dependency {dep.name!r} watches {signal.healthy()}, which {other.name!r} at "
                                    f"{other.declared_at} watches too: use one name, so that one alert pages "
                                    f"for the journeys that share it"))
            by_signal.setdefault(signal, (journey, dep))
    return problems


def _shared(name: str, uses: list[tuple[Journey, Dependency]], index_url: str) -> SharedDependency:
    first_journey, first = uses[0]
    # The same names as a journey's, without the journey: DatabaseDown, RabbitmqBacklogHigh.
    prefix = camel(name)
    saturations = tuple(_renamed(s, prefix) for s in first.saturations)
    return SharedDependency(
        name=name, title=first.title, kind=first.kind, health=first.health, health_for=first.health_for,
        saturations=saturations, down_alert_name=down_alert_name(prefix),
        users=tuple(DependencyUse(journey.name, journey.title, dep.stages,
                                  tuple(journey.stage(s).title for s in dep.stages),
                                  journey.dashboard_url(dependency=name)) for journey, dep in uses),
        runbook_page=first_journey.runbook_page,
        dashboard_url=index_url,
    )


def _renamed(saturation: Saturation, prefix: str) -> Saturation:
    alert, predicted = saturation_alert_names(prefix, saturation.name, saturation.predicted_alert_name is not None)
    return dataclasses.replace(saturation, alert_name=alert, predicted_alert_name=predicted)


def _journey_alert_names(journey: Journey) -> set[str]:
    names = {slo.alert_name for slo in journey.slos}
    for stage in journey.stages:
        names.update(a.name for a in (stage.error_rate_alert, stage.latency_alert) if a is not None)
    for dep in journey.dependencies:
        names.update(dep.alert_names)
    return names


def _alert_name_clashes(journeys: Sequence[Journey], shared: dict[str, SharedDependency]) -> list[Diagnostic]:
    problems = []
    for journey in journeys:
        taken = _journey_alert_names(journey)
        for dep in shared.values():
            for clash in sorted(taken & set(dep.alert_names)):
                problems.append(_at(journey.declared_at, journey,
                                    f"alert {clash} of journey {journey.name!r} has the name of the shared "
                                    f"dependency {dep.name!r}'s alert; rename the journey's alert"))
    return problems


def _own_alert_names(journey: Journey, shared: dict[str, SharedDependency]) -> list[tuple[str, Location]]:
    """(name, where declared) of the journey's alerts, but for those of its dependencies the fleet
    shares: those become the one shared alert of that dependency."""
    shared_names = {name for dep in journey.dependencies if dep.name in shared for name in dep.alert_names}
    return [(name, where) for name, where in journey.alert_declared_at if name not in shared_names]


def _one_alert_name_in_two_journeys(journeys: Sequence[Journey],
                                    shared: dict[str, SharedDependency]) -> list[Diagnostic]:
    """Silences, routes and on-call people find an alert by its name: two journeys' alerts of one name
    (explicit names, or a journey `a-b` stage `c` and a journey `a` stage `b-c`) would be silenced together."""
    places: dict[str, list[tuple[Journey, Location]]] = defaultdict(list)
    for journey in journeys:
        for name, where in _own_alert_names(journey, shared):
            places[name].append((journey, where))
    problems = []
    for name, found in sorted(places.items()):
        if len(found) < 2:
            continue
        for journey, where in found:
            # One other place each, so a name in many specs stays one line per place.
            (other, other_at), *more = [(j, w) for j, w in found if j is not journey]
            also = f" and {len(more)} more" if more else ""
            problems.append(_at(where, journey, f"alert name {name!r} of journey {journey.name!r} is also the name "
                                                f"of an alert of journey {other.name!r} at {other_at}{also}; alert "
                                                f"names must differ across the specs built together (silences and "
                                                f"routes match them): rename one"))
    return problems


def _with_shared(journey: Journey, shared: dict[str, SharedDependency]) -> Journey:
    deps = []
    for dep in journey.dependencies:
        common = shared.get(dep.name)
        if common is not None:
            dep = dataclasses.replace(dep, down_alert_name=common.down_alert_name, saturations=common.saturations,
                                      shared=common)
        deps.append(dep)
    return dataclasses.replace(journey, dependencies=tuple(deps))
