"""Scenarios for the time after a cause resolves: its RecentlyDown companion must cover every symptom
that still fires on the outage's errors, and a new failure after the companion's page period must page.

One scenario per dependency with a page companion: the dependency goes down and its symptoms burn at
100% until every page among them fires; everything recovers together; once the page companion has
ended, the symptoms burn again (a new, unrelated failure: health stays up). A dependency with a queue
gauge gets two more: the work queued during the outage drains for longer than the page period after
the cause resolved, the symptoms burning until it has (no page until drained and reset, then the new
failure pages); and a queue that never drains (the new failure pages once the drain limit is over). The generator checks the
reference timeline (a symptom page after the cause resolved that no companion covers, or a new
failure that cannot page, is a ScenarioError) and promtool checks the real rules against it at every
step where any alert of the scenario changes.
"""

from __future__ import annotations

import math

from obsgen.artifacts.impact import impact_map
from obsgen.artifacts.prometheus import AlertRule
from obsgen.artifacts.prometheus.recently_down import (INHIBITS, KIND as RECENTLY_DOWN, backlog, held_back, queue_owner,
                                                       reset_periods)
from obsgen.artifacts.ruletests.expect import Timeline
from obsgen.artifacts.ruletests.reference import AmbiguousScenario, Reference
from obsgen.artifacts.ruletests.scenarios import (CAP, INCIDENT_START, OPAQUE, RECOVER_AFTER, Baseline, Effect,
                                                  Scenario, ScenarioError, _checks, _names, _scope, _world, errors_on,
                                                  health, slo_effects, slow_on)
from obsgen.artifacts.ruletests.world import Phase, WorldBuilder, unhealthy_readings
from obsgen.model import Dependency, Journey, Saturation
from obsgen.promql import format_number
from obsgen.reach import affected_stages, broken_set, burning_slos


class _Again:
    """A builder that repeats each incident written to it from `start` to `end`: the phases an effect
    writes (healthy, incident, healthy) get a second incident with the same state."""

    def __init__(self, builder: WorldBuilder, start: int, end: int | None):
        self.builder, self.start, self.end = builder, start, end

    def __getattr__(self, method: str):
        def write(*args):
            *subject, phases = args
            healthy, incident = phases[0].value, phases[1].value
            again = [Phase(self.start, incident)] + ([Phase(self.end, healthy)] if self.end is not None else [])
            return getattr(self.builder, method)(*subject, phases + again)
        return write


def symptom_effects(base: Baseline, journey: Journey, dep: Dependency) -> list[Effect]:
    """Everything the outage breaks burning at 100%: the burning SLOs, the affected stages' alerts."""
    stages = affected_stages(journey, dep.name, broken_set(journey, dep.name))
    slos = {s.name for s in burning_slos(journey, stages)}
    effects = [e for slo in journey.slos if slo.name in slos for e in slo_effects(base, slo, 1.0)]
    for stage in (journey.stage(s.name) for s in stages):
        if stage.error_rate_alert:
            effects.append(errors_on(base, stage, 1.0))
        if stage.latency_alert and stage.latency:
            effects.append(slow_on(base, stage, 1.0))
    unique = {e.component: e for e in reversed(effects) if e.component[0] not in OPAQUE}
    return list(reversed(unique.values()))


def _placed(outage: list[Effect], symptoms: list[Effect], cause_end: int | None, symptoms_end: int | None,
            again: tuple[int, int | None] | None):
    """The outage from INCIDENT_START to cause_end, the symptoms to symptoms_end and once more over `again`
    (start, end)."""
    placed = [(e, INCIDENT_START, cause_end) for e in outage]
    for effect in symptoms:
        if again is not None:
            effect = Effect(effect.component, lambda b, s, t, e=effect: e.write(_Again(b, *again), s, t),
                            effect.description)
        placed.append((effect, INCIDENT_START, symptoms_end))
    return placed


def _queue_note(queue_after: str | None) -> str:
    return {None: "", DRAINS: " while the queue drains", STUCK: ", the queue never drains"}[queue_after]


def _first_firing(timeline: Timeline, alerts: list[AlertRule], after: int) -> int | None:
    fired = [s for a in alerts if (s := timeline.first_firing(a, after, CAP)) is not None]
    return min(fired, default=None)


def _all_fired_by(timeline: Timeline, alerts: list[AlertRule], after: int) -> int:
    """The step by which every one of these alerts that fires at all has fired."""
    fired = [s for a in alerts if (s := timeline.first_firing(a, after, CAP)) is not None]
    return max(fired, default=after)


DRAINS, STUCK = "drains", "stuck"  # the queue after the restore: empty again later, or never


def _backlog(dep: Dependency, queue: Saturation, until: int | None) -> Effect:
    """The queue gauge: drained before the outage, deep from its start until `until` (None: never drained)."""
    deep = round((queue.drained + queue.threshold) / 2)  # deep, below the saturation alert

    def write(builder: WorldBuilder, start: int, _end: int | None) -> None:
        builder.saturation(dep, queue, lambda step: deep if start <= step and (until is None or step < until)
                           else queue.drained)
    return Effect(("saturation", dep.name, queue.name), write, f"{queue.shown()} at {format_number(deep)}")


def _drain_minutes(journey: Journey, dep: Dependency, queue: Saturation) -> int:
    """Longer than the page period (past every short window), within the drain limit when it allows."""
    period = math.ceil(reset_periods(journey, dep)["page"] / 60)
    return max(1, min(period + 5, math.floor(queue.drain_limit / 60) - 1))


def _outage(journey: Journey, dep: Dependency, queue_after: str | None, cause_end: int | None):
    """The cause, its queue gauge (when queue_after says how it ends), and until when the symptoms burn:
    while the queue drains (the stages downstream catch up) or until the cause ends."""
    how, reading = unhealthy_readings(dep.health)[0]
    outage, symptoms_end = [health(dep, reading)], cause_end
    owner = queue_owner(journey, dep)
    queue = backlog(journey, dep)
    if queue_after is not None and cause_end is not None:
        until = cause_end + _drain_minutes(journey, dep, queue) if queue_after == DRAINS else None
        symptoms_end = until if queue_after == DRAINS else cause_end
        outage.append(_backlog(owner, queue, until))
    elif queue_after is not None:
        outage.append(_backlog(owner, queue, None))
    return how, outage, symptoms_end


def _quiet_after(journey: Journey, dep: Dependency, queue_after: str | None, symptoms_end: int) -> int:
    """When the page companion has surely ended: the period after the symptoms' (and the queue's) end, or
    the drain limit after the cause for a queue that never drains."""
    period = reset_periods(journey, dep)["page"]
    if queue_after == STUCK:
        period += backlog(journey, dep).drain_limit
    return symptoms_end + math.ceil(period / 60) + 1


def recovery_scenario(journey: Journey, alerts: list[AlertRule], dep: Dependency,
                      queue_after: str | None = None) -> Scenario | None:
    base = Baseline(journey)
    symptoms = symptom_effects(base, journey, dep)
    how, outage, _ = _outage(journey, dep, queue_after, None)
    names = set(held_back(impact_map(journey).of(dep.name).symptoms))
    ongoing = _world(journey, _placed(outage, symptoms, None, None, None), CAP + 1)
    scope = _scope(journey, alerts, ongoing)
    pages = [a for a in scope if a.alert in names and a.severity == "page"]
    probe = Timeline(Reference(journey, ongoing), scope)
    cause = next(a for a in scope if a.alert == dep.down_alert_name)
    if not pages or probe.first_firing(cause, INCIDENT_START, CAP) is None:
        return None
    cause_end = _all_fired_by(probe, pages + [cause], INCIDENT_START) + RECOVER_AFTER
    how, outage, symptoms_end = _outage(journey, dep, queue_after, cause_end)
    new_start = _quiet_after(journey, dep, queue_after, symptoms_end)
    placed = _placed(outage, symptoms, cause_end, symptoms_end, (new_start, None))
    probe = Timeline(Reference(journey, _world(journey, placed, CAP + 1)), scope)
    paged = _first_firing(probe, pages, new_start)
    if paged is None:
        raise ScenarioError(f"a new failure after {dep.down_alert_name} resolved never pages "
                            f"({', '.join(a.alert for a in pages)})")
    new_end = paged + RECOVER_AFTER
    world = _world(journey, _placed(outage, symptoms, cause_end, symptoms_end, (new_start, new_end)), CAP + 1)
    timeline = Timeline(Reference(journey, world), scope)
    horizon = max(timeline.first_quiet(a, new_end, CAP) or CAP for a in pages)
    _check_covered(timeline, scope, dep, names, cause_end, new_start)
    title = (f"after the cause: {how} ({dep.name}) {INCIDENT_START}m-{cause_end}m, its symptoms burn until "
             f"{symptoms_end}m{_queue_note(queue_after)}; its companion covers every symptom still firing; "
             f"a new failure from {new_start}m pages at {paged}m")
    order = _names(scope)
    steps = [INCIDENT_START, cause_end, new_start, paged, horizon]
    steps += [s for name in order for s in timeline.transitions(name, horizon)]
    return Scenario(title, world, timeline, horizon, _checks(timeline, order, steps, horizon), order,
                    pages)


def _check_covered(timeline: Timeline, scope: list[AlertRule], dep: Dependency, names: set[str],
                   cause_end: int, new_start: int) -> None:
    """Between the cause resolving and the new failure, each symptom firing has its severity's companion firing."""
    companions = {a.label(INHIBITS): a for a in scope if a.kind == RECENTLY_DOWN and a.dependency == dep.name}
    for step in range(cause_end, new_start):
        for alert in (a for a in scope if a.alert in names and timeline.fires(a, step)):
            companion = companions.get(alert.severity)
            if companion is None or not timeline.fires(companion, step):
                raise ScenarioError(f"{alert.alert} ({alert.severity}) still fires {step - cause_end}m after "
                                    f"{dep.down_alert_name} resolved and no {dep.recently_down_alert_name} holds it back")
    page = companions["page"]
    if timeline.fires(page, new_start):
        raise ScenarioError(f"{page.alert} (page) is still active when the new failure starts")


def recovery_scenarios(journey: Journey, alerts: list[AlertRule]) -> list[Scenario]:
    """One per dependency of the journey's own whose companion holds back pages (see the module doc)."""
    found = []
    for dep in journey.local_dependencies:
        held = {a.label(INHIBITS) for a in alerts if a.kind == RECENTLY_DOWN and a.dependency == dep.name}
        if "page" not in held:
            continue
        for queue_after in (None, DRAINS, STUCK) if backlog(journey, dep) else (None,):
            try:
                scenario = recovery_scenario(journey, alerts, dep, queue_after)
            except AmbiguousScenario as error:
                raise ScenarioError(f"after {dep.down_alert_name} resolves: {error}") from error
            if scenario is not None:
                found.append(scenario)
    return found
