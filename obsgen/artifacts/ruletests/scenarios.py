"""Scenarios that prove each generated alert: it fires when it should, when it should, and resets.

Each scenario is a healthy world in which one thing goes wrong at INCIDENT_START (an outage, a
slow burn, a dependency down, a queue backing up, data vanishing) and recovers a few minutes
after the alert under test fires. When it fires and resolves is computed by the reference, not
written down; the scenario only checks its intent (the page fires in an outage, a slow burn
tickets without paging) and fails loudly if the model makes that impossible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from obsgen.artifacts.prometheus import AlertRule, budget, journey_alerts
from obsgen.artifacts.prometheus.recently_down import KIND as RECENTLY_DOWN
from obsgen.artifacts.ruletests import extent
from obsgen.artifacts.ruletests.expect import Timeline
from obsgen.artifacts.ruletests.native import alert_reads_native
from obsgen.artifacts.ruletests.promsim import shared_series
from obsgen.artifacts.ruletests.reference import AmbiguousScenario, Reference, absent_selector
from obsgen.artifacts.ruletests.world import (RATIO_DENOMINATOR, Component, Phase, Traffic, World, WorldBuilder,
                                              healthy_reading, unhealthy_readings)
from obsgen.errors import ObsgenError
from obsgen.model import Dependency, Journey, Saturation, Slo, SloType, Stage
from obsgen.promql import format_duration, format_number

TRAFFIC = 60_000  # events per minute in every stage (1000/s): ratios down to 1e-5 stay whole numbers
JOURNEYS = 6_000  # completed journeys per minute
INCIDENT_START = 5  # minutes of healthy data before anything goes wrong
RECOVER_AFTER = 5  # the incident lasts this many minutes past the alert under test firing
CAP = 480  # no scenario runs longer than this many minutes
# Minutes a pack's worlds span at first: nearly every scenario ends within them, and a world's series
# cost by the minute (to write and to read); one that needs more runs again over CAP.
FIRST_SPAN = 120
# Healthy ratios are this share of the tightest limit on them: well inside it, and not a round
# share, so that no window average lands exactly on a threshold (where float rounding decides).
HEALTHY_SHARE = 1 / 12
HEALTHY_HORIZON = 30
HEALTHY_CHECKPOINTS = (1, 5, 10, 15, 16, 20, 30)
# Incident strengths tried in turn when a scenario lands a value exactly on a threshold.
NUDGES = (1.0, 1.1, 1.3)


class ScenarioError(ObsgenError, ValueError):
    """A scenario cannot prove its alert (it never fires, never resets, or pages on a slow burn). Specs can
    say such things (long windows, coarse time slices), so it is reported to the user, not raised as a bug."""


@dataclass
class Scenario:
    name: str
    world: World
    timeline: Timeline
    horizon: int
    checks: list[tuple[int, str]]  # (step, alert name): promtool asserts the exact firing alerts there
    scope: list[str]  # alert names this world fully determines
    subjects: list[AlertRule] = field(default_factory=list)


Writer = Callable[[WorldBuilder, int, int | None], None]  # (builder, incident start, incident end or None)


@dataclass(frozen=True)
class Effect:
    component: Component
    write: Writer
    description: str


def _phases(healthy, incident, start: int, end: int | None) -> list[Phase]:
    phases = [Phase(0, healthy), Phase(start, incident)]
    if end is not None:
        phases.append(Phase(end, healthy))
    return phases


def events(total: int, ratio: float) -> int:
    """How many of total events a ratio makes. A positive ratio never rounds down to none: with tight
    objectives (99.99%) a healthy share would otherwise be 0, and an incident at exactly twice a
    threshold then crosses it at the exact midpoint of every window, where float rounding decides."""
    count = round(total * ratio)
    return max(count, 1) if ratio > 0 else count


class Baseline:
    """Healthy levels derived from the model: every ratio a small share of the tightest limit on it."""

    def __init__(self, journey: Journey):
        self.journey = journey

    def error_ratio(self, stage: Stage) -> float:
        if counts_failures(stage):
            return 0.0  # any failure at all may be one too many for a batch job's count-based alert
        limits = [s.error_budget for s in self.journey.slos if s.type == SloType.AVAILABILITY and stage.name in s.stages]
        if stage.error_rate_alert:
            limits.append(stage.error_rate_alert.threshold)
        return min(limits, default=0.01) * HEALTHY_SHARE

    def slow_ratio(self, stage: Stage) -> float:
        limits = [s.error_budget for s in self.journey.slos if s.type == SloType.LATENCY and stage.name in s.stages]
        if stage.latency_alert:
            limits.append(1 - stage.latency_alert.quantile)
        return min(limits, default=0.01) * HEALTHY_SHARE

    def journey_slow_ratio(self) -> float:
        limits = [s.error_budget for s in self.journey.slos if s.type == SloType.JOURNEY_TIME]
        return min(limits, default=0.01) * HEALTHY_SHARE

    def traffic(self, stage: Stage, errors: float | None = None, slow: float | None = None) -> Traffic:
        errors = self.error_ratio(stage) if errors is None else errors
        slow = self.slow_ratio(stage) if slow is None else slow
        return Traffic(TRAFFIC, events(TRAFFIC, errors), events(TRAFFIC, slow))

    def journeys(self, slow: float | None = None) -> Traffic:
        slow = self.journey_slow_ratio() if slow is None else slow
        return Traffic(JOURNEYS, 0, events(JOURNEYS, slow))

    def bad_share(self, slo: Slo) -> float:
        return slo.error_budget * HEALTHY_SHARE

    @staticmethod
    def saturation(sat: Saturation) -> float:
        if sat.denominator is not None:
            # a ratio: a third of its limit, a share of the denominator no rounding brings near it
            return round(sat.threshold / 3 * RATIO_DENOMINATOR) / RATIO_DENOMINATOR
        # just above a round number, so linear growth does not land exactly on the threshold
        return int(sat.threshold // 10) + 1


# -- effects: one component, healthy outside the incident ----------------------------------------------

def errors_on(base: Baseline, stage: Stage, ratio: float) -> Effect:
    def write(builder: WorldBuilder, start: int, end: int | None) -> None:
        builder.stage_requests(stage, _phases(base.traffic(stage), base.traffic(stage, errors=ratio), start, end))
    return Effect(("requests", stage.name), write, f"{_percent(ratio)} of {stage.name} requests fail")


def slow_on(base: Baseline, stage: Stage, ratio: float) -> Effect:
    def write(builder: WorldBuilder, start: int, end: int | None) -> None:
        builder.stage_latency(stage, _phases(base.traffic(stage), base.traffic(stage, slow=ratio), start, end))
    return Effect(("latency", stage.name), write, f"{_percent(ratio)} of {stage.name} requests are slow")


def low_traffic_outage(journey: Journey, slo: Slo, per_minute: int) -> list[Effect]:
    """Every event of the SLO's stages bad, at a traffic too low for the page's guard, healthy before and after."""
    def effect(stage: Stage) -> Effect:
        if slo.type == SloType.AVAILABILITY:
            def write(builder: WorldBuilder, start: int, end: int | None) -> None:
                builder.stage_requests(stage, _phases(Traffic(per_minute), Traffic(per_minute, errors=per_minute), start, end))
            return Effect(("requests", stage.name), write, f"all {per_minute} {stage.name} requests a minute fail")

        def write_slow(builder: WorldBuilder, start: int, end: int | None) -> None:
            builder.stage_latency(stage, _phases(Traffic(per_minute), Traffic(per_minute, slow=per_minute), start, end))
        return Effect(("latency", stage.name), write_slow, f"all {per_minute} {stage.name} requests a minute are slow")
    return [effect(journey.stage(name)) for name in slo.stages]


def low_traffic(slo: Slo) -> int:
    """Requests a minute at half the rate the tightest page guard needs (0 when whole requests cannot be)."""
    guarded = [b for b in slo.burn_rates if b.severity == "page" and b.min_events]
    if not guarded or slo.type not in (SloType.AVAILABILITY, SloType.LATENCY):
        return 0
    return int(min(b.min_events * 60 / b.short for b in guarded) // 2)


def counts_failures(stage: Stage) -> bool:
    """The stage's failures alert counts the stage's own errors (not a counter of its own)."""
    return stage.failures_alert is not None and stage.failures_alert.failures == stage.errors


def failures_on(stage: Stage, per_minute: int) -> Effect:
    """A failures counter of its own (a failures alert's metric that is not the stage's errors)."""
    def write(builder: WorldBuilder, start: int, end: int | None) -> None:
        builder.failures(stage, _phases(0, per_minute, start, end))
    return Effect(("failures", stage.name), write, f"{per_minute} {stage.name} failures a minute")


def recorded_ratio(base: Baseline, slo: Slo, ratio: float | None) -> Effect:
    def write(builder: WorldBuilder, start: int, end: int | None) -> None:
        builder.recorded_sli(slo, _phases(base.bad_share(slo), ratio, start, end))
    what = "no data" if ratio is None else f"{_percent(ratio)} of the events bad"
    return Effect(("query", slo.name), write, f"recorded SLI of {slo.name}: {what}")


def bad_slices_on(base: Baseline, slo: Slo, share: float | None) -> Effect:
    def write(builder: WorldBuilder, start: int, end: int | None) -> None:
        builder.timeslice(slo, _phases(base.bad_share(slo), share, start, end))
    what = "no data" if share is None else f"{_percent(share)} of the slices bad"
    return Effect(("timeslice", slo.name), write, f"{slo.timeslice.selector.promql()}: {what}")


def slow_journeys(base: Baseline, ratio: float) -> Effect:
    def write(builder: WorldBuilder, start: int, end: int | None) -> None:
        builder.journey_time(_phases(base.journeys(), base.journeys(slow=ratio), start, end))
    return Effect(("journey_time",), write, f"{_percent(ratio)} of journeys are slow")


def no_data(base: Baseline, component: Component) -> Effect:
    kind = component[0]

    def write(builder: WorldBuilder, start: int, end: int | None) -> None:
        if kind == "requests":
            stage = base.journey.stage(component[1])
            builder.stage_requests(stage, _phases(base.traffic(stage), None, start, end))
        elif kind == "latency":
            stage = base.journey.stage(component[1])
            builder.stage_latency(stage, _phases(base.traffic(stage), None, start, end))
        else:
            builder.journey_time(_phases(base.journeys(), None, start, end))
    what = {"requests": "request counters", "latency": "latency histogram"}.get(kind, "journey-time histogram")
    owner = f"{component[1]} " if len(component) > 1 else ""
    return Effect(component, write, f"the {owner}{what} disappear")


def health(dep: Dependency, reading: float | None) -> Effect:
    """The health signal reads this during the incident (None: its series is gone), healthy outside it."""
    def write(builder: WorldBuilder, start: int, end: int | None) -> None:
        builder.health(dep, _phases(healthy_reading(dep.health), reading, start, end))
    return Effect(("health", dep.name), write, _health_text(dep, reading))


def _health_text(dep: Dependency, reading: float | None) -> str:
    series = dep.health.selector.promql()
    if reading is None:
        return f"{series} disappears"
    if dep.health.heartbeat is not None:
        return f"{series} {'keeps changing' if reading else 'stops changing'}"
    return f"{series} reports {format_number(reading)}"


def saturation(base: Baseline, dep: Dependency, sat: Saturation, level: Callable[[int], float],
               description: str) -> Effect:
    def write(builder: WorldBuilder, start: int, end: int | None) -> None:
        healthy = base.saturation(sat)
        builder.saturation(dep, sat, lambda step: level(step - start) if start <= step and (end is None or step < end)
                           else healthy)
    return Effect(("saturation", dep.name, sat.name), write, description)


def high_saturation(sat: Saturation) -> float:
    """Well above the threshold; a ratio stays a share (a pool cannot be more than full) when it can."""
    if sat.denominator is not None and sat.threshold < 1:
        return round((1 + sat.threshold) / 2 * RATIO_DENOMINATOR) / RATIO_DENOMINATOR
    return 2 * sat.threshold


def healthy_effects(base: Baseline) -> list[Effect]:
    journey = base.journey
    effects = []
    for stage in journey.stages:
        effects.append(errors_on(base, stage, base.error_ratio(stage)))
        if stage.latency:
            effects.append(slow_on(base, stage, base.slow_ratio(stage)))
    if journey.journey_time:
        effects.append(slow_journeys(base, base.journey_slow_ratio()))
    for dep in journey.dependencies:
        effects.append(health(dep, healthy_reading(dep.health)))
        for sat in dep.saturations:
            steady = "backlog steady" if sat.is_queue else f"{sat.title} steady"
            effects.append(saturation(base, dep, sat, lambda _, s=sat: base.saturation(s), steady))
    for slo in journey.slos:
        if slo.timeslice is not None:
            effects.append(bad_slices_on(base, slo, base.bad_share(slo)))
        if slo.query is not None:
            effects.append(recorded_ratio(base, slo, base.bad_share(slo)))
    for stage in journey.stages:
        if stage.failures_alert and not counts_failures(stage):
            effects.append(failures_on(stage, 0))
    return effects


def _percent(ratio: float) -> str:
    return f"{format_number(round(ratio * 100, 6))}%"


# -- which alerts a world can decide ------------------------------------------------------------------

def alert_inputs(journey: Journey, alert: AlertRule) -> set[Component]:
    """The components an alert reads: it is asserted in every scenario that has all of them."""
    if alert.kind.startswith("burn-rate") or alert.kind in (budget.EXHAUSTED, budget.FORECAST):
        slo = next(s for s in journey.slos if s.name == alert.slo)
        return slo_inputs(slo)
    if alert.kind == "error-rate":
        return {("requests", alert.stages[0])}
    if alert.kind == "latency":
        return {("latency", alert.stages[0])}
    if alert.kind == "dependency-down":
        return {("health", alert.dependency)}
    if alert.kind == RECENTLY_DOWN:
        # A shared cause's down alert is in the fleet's rule file, not beside its companion. Its queue gauge
        # only lengthens it: a world without the gauge decides the companion too (the timed part alone).
        shared = journey.dependency(alert.dependency).shared is not None
        return {("shared-cause", alert.dependency) if shared else ("health", alert.dependency)}
    if alert.kind in ("saturation", "saturation-predicted"):
        sat = journey.dependency(alert.dependency).saturation_of(alert.alert)
        return {("saturation", alert.dependency, sat.name)}
    if alert.kind == "failures":
        stage = journey.stage(alert.stages[0])
        return {("requests", stage.name) if counts_failures(stage) else ("failures", stage.name)}
    if alert.kind == "custom":
        return {("custom", alert.alert)}  # raw PromQL: no world decides it
    selector = absent_selector(journey, alert)
    for stage in journey.stages:
        if selector == stage.requests:
            return {("requests", stage.name)}
        if stage.latency and selector == stage.latency.count:
            return {("latency", stage.name)}
    return {("journey_time",)}


def slo_inputs(slo: Slo) -> set[Component]:
    if slo.query is not None:
        return {("query", slo.name)}  # raw PromQL: no world decides it
    if slo.timeslice is not None:
        return {("timeslice", slo.name)}
    if slo.type == SloType.AVAILABILITY:
        return {("requests", name) for name in slo.stages}
    if slo.type == SloType.LATENCY:
        return {("latency", name) for name in slo.stages}
    return {("journey_time",)}


# -- the catalogue ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Plan:
    title: str
    subject: AlertRule
    effects: list[Effect]
    must_not_fire: list[AlertRule] = field(default_factory=list)
    family: str = ""  # plans of one family may share a test group
    # A count over a long window (a day's failures) stays above its threshold long after the incident:
    # such a plan proves the alert fires and keeps firing, not that it resolves within the scenario.
    resolves: bool = True

    def __post_init__(self) -> None:
        if not self.family:
            object.__setattr__(self, "family", self.title)


def slo_effects(base: Baseline, slo: Slo, ratio: float) -> list[Effect]:
    if slo.timeslice is not None:
        return [bad_slices_on(base, slo, ratio)]
    if slo.query is not None:
        return [recorded_ratio(base, slo, ratio)]
    if slo.type == SloType.AVAILABILITY:
        return [errors_on(base, base.journey.stage(n), ratio) for n in slo.stages]
    if slo.type == SloType.LATENCY:
        return [slow_on(base, base.journey.stage(n), ratio) for n in slo.stages]
    return [slow_journeys(base, ratio)]


def slow_burn_factor(slo: Slo) -> float:
    """Twice the lowest ticket burn rate, kept below the lowest page burn rate when a slow burn can be."""
    tickets = [b.factor for b in slo.burn_rates if b.severity == "ticket"]
    pages = [b.factor for b in slo.burn_rates if b.severity == "page"]
    factor = 2 * min(tickets)
    if tickets_without_paging(slo) and pages and factor >= min(pages):
        factor = (min(tickets) + min(pages)) / 2
    return factor


def tickets_without_paging(slo: Slo) -> bool:
    """Whether some burn raises a ticket without paging: not when a page burns at the ticket's rate or
    below it (a daily job's 1x page and ticket on the same windows), where every ticket also pages."""
    tickets = [b.factor for b in slo.burn_rates if b.severity == "ticket"]
    pages = [b.factor for b in slo.burn_rates if b.severity == "page"]
    return not pages or min(pages) > min(tickets)


# The forecast's slow burn: with one steady burn rate b over all the data, the budget left is 1 - b and the
# forecast of (1 - b) * window / b is under a quarter of the window (its default) from b = 0.8 on.
FORECAST_BURN = 0.9


def budget_plan(base: Baseline, alert: AlertRule, nudge: float) -> Plan:
    """Exhausted: a hard outage spends the budget, which stays spent for the SLO window (longer than any
    scenario). Forecast: a steady burn just under 1x leaves little budget that the recent burn rate spends
    soon; it must not exhaust the budget."""
    slo = next(s for s in base.journey.slos if s.name == alert.slo)
    if alert.kind == budget.EXHAUSTED:
        return Plan("hard outage spends the error budget", alert, slo_effects(base, slo, 1.0), resolves=False)
    within = slo.budget.forecast_within / slo.window
    burn = min(0.99, max(FORECAST_BURN, 1 / (1 + within) + 0.05) * (1 + (nudge - 1) / 10))
    exhausted = [a for a in journey_alerts(base.journey) if a.slo == slo.name and a.kind == budget.EXHAUSTED]
    return Plan(f"steady burn at {format_number(round(burn, 3))}x leaves little budget", alert,
                slo_effects(base, slo, min(1.0, burn * slo.error_budget)), exhausted, resolves=False)


def plans(journey: Journey, alerts: list[AlertRule], nudge: float = 1.0) -> list[Plan]:
    """Every alert's incident plans; ``nudge`` scales the incident ratios (see scenarios())."""
    base = Baseline(journey)
    out: list[Plan] = []
    for alert in alerts:
        if alert.kind == "burn-rate-page":
            slo = next(s for s in journey.slos if s.name == alert.slo)
            out.append(Plan("hard outage", alert, slo_effects(base, slo, 1.0)))
            if slo.timeslice is not None:  # a slice without data is a bad one: a vanished gauge pages too
                out.append(Plan("gauge disappears", alert, [bad_slices_on(base, slo, None)]))
        elif alert.kind == "burn-rate-ticket":
            slo = next(s for s in journey.slos if s.name == alert.slo)
            factor = slow_burn_factor(slo)
            pages = [a for a in alerts if a.slo == slo.name and a.kind == "burn-rate-page"
                     and tickets_without_paging(slo)]
            out.append(Plan(f"slow burn at {format_number(factor)}x the error budget", alert,
                            slo_effects(base, slo, min(1.0, nudge * factor * slo.error_budget)), pages, "slow burn"))
        elif alert.kind in (budget.EXHAUSTED, budget.FORECAST):
            out.append(budget_plan(base, alert, nudge))
        elif alert.kind == "error-rate":
            stage = journey.stage(alert.stages[0])
            ratio = min(1.0, nudge * 2 * stage.error_rate_alert.threshold)
            out.append(Plan("error ratio at twice the threshold", alert, [errors_on(base, stage, ratio)],
                            family="symptom above its threshold"))
        elif alert.kind == "latency":
            stage = journey.stage(alert.stages[0])
            ratio = min(1.0, nudge * 2 * (1 - stage.latency_alert.quantile))
            out.append(Plan("slow requests above the quantile", alert, [slow_on(base, stage, ratio)],
                            family="symptom above its threshold"))
        elif alert.kind == "dependency-down":
            dep = journey.dependency(alert.dependency)
            out += [Plan(how, alert, [health(dep, reading)]) for how, reading in unhealthy_readings(dep.health)]
            out.append(Plan("health series disappears", alert, [health(dep, None)]))
        elif alert.kind == "saturation":
            dep = journey.dependency(alert.dependency)
            sat = dep.saturation_of(alert.alert)
            level = high_saturation(sat)
            jumps = "backlog jumps" if sat.is_queue else f"{sat.title} jumps"
            out.append(Plan("backlog above the threshold" if sat.is_queue else "saturation above the threshold", alert,
                            [saturation(base, dep, sat, lambda _, v=level: v, f"{jumps} to {format_number(level)}")]))
        elif alert.kind == "saturation-predicted":
            dep = journey.dependency(alert.dependency)
            sat = dep.saturation_of(alert.alert)
            start = base.saturation(sat)
            growth = max(1, round((sat.threshold - start) / (1.5 * sat.predict_ahead / 60)))
            if ((sat.threshold - start) / growth).is_integer():
                start += growth / 2  # a minute's value exactly on the threshold would make the test brittle
            out.append(Plan("backlog growing linearly", alert,
                            [saturation(base, dep, sat, lambda minutes, a=start, g=growth: a + g * minutes,
                                        f"{sat.title} grows by {growth}/min from {format_number(start)}")]))
        elif alert.kind == "failures":
            stage = journey.stage(alert.stages[0])
            spec = stage.failures_alert
            effect = (errors_on(base, stage, (spec.threshold + 1) / TRAFFIC) if counts_failures(stage)
                      else failures_on(stage, spec.threshold + 1))
            out.append(Plan(f"failures above {spec.threshold} within {format_duration(spec.window)}", alert, [effect],
                            resolves=False))
        elif alert.kind == "absent":
            inputs = alert_inputs(journey, alert)
            out.append(Plan("data stops", alert, [no_data(base, c) for c in sorted(inputs)]))
    for alert in (a for a in alerts if a.kind == "burn-rate-page" and extent.extended()):  # after the rest: stable order
        out += low_traffic_plans(journey, next(s for s in journey.slos if s.name == alert.slo), alert, alerts)
    return out


def low_traffic_plans(journey: Journey, slo: Slo, page: AlertRule, alerts: list[AlertRule]) -> list[Plan]:
    """The page's low-traffic guard holding: an outage of every request at a traffic below the guard raises
    the (unguarded) ticket, and the page stays quiet, also at the minute the ticket fires."""
    per_minute = low_traffic(slo)
    ticket = next((a for a in alerts if a.slo == slo.name and a.kind == "burn-rate-ticket"), None)
    if not per_minute or ticket is None:
        return []
    return [Plan(f"low traffic ({per_minute} requests a minute): the page's guard holds", ticket,
                 low_traffic_outage(journey, slo, per_minute), [page], "low traffic")]


# -- running plans ------------------------------------------------------------------------------------

def _world(journey: Journey, effects: list[tuple[Effect, int, int | None]], steps: int) -> World:
    builder = WorldBuilder(journey, steps)
    for effect, start, end in effects:
        effect.write(builder, start, end)
    return builder.build()


def _scope(journey: Journey, alerts: list[AlertRule], world: World) -> list[AlertRule]:
    return [a for a in alerts if alert_inputs(journey, a) <= world.components]


def _components(plan: Plan) -> set[Component]:
    return {e.component for e in plan.effects}


def pack(plans_: list[Plan]) -> list[list[Plan]]:
    """Plans of the same family that touch disjoint components share one test group: promtool's cost
    is per evaluation step, and independent incidents can run side by side."""
    packs: list[list[Plan]] = []
    for plan in plans_:
        home = next((p for p in packs if p[0].family == plan.family
                     and not any(_components(other) & _components(plan) for other in p)), None)
        if home is None:
            packs.append([plan])
        else:
            home.append(plan)
    return packs


class _BeyondSpan(Exception):
    """The scenario needs minutes past its worlds' span: it runs again over CAP."""


def run_pack(journey: Journey, alerts: list[AlertRule], members: list[Plan]) -> Scenario:
    """The pack's scenario, computed over FIRST_SPAN minutes, else over CAP: the same minutes give the
    same values whatever the span (every series is written and read from the first minute on)."""
    try:
        return _run_pack(journey, alerts, members, FIRST_SPAN)
    except _BeyondSpan:
        return _run_pack(journey, alerts, members, CAP)


def _beyond(span: int, error: ScenarioError) -> Exception:
    """What a search that ends at the span without an answer raises: run again over CAP, or at CAP the error."""
    return _BeyondSpan() if span < CAP else error


def _run_pack(journey: Journey, alerts: list[AlertRule], members: list[Plan], span: int) -> Scenario:
    start = INCIDENT_START
    ongoing = _world(journey, [(e, start, None) for p in members for e in p.effects], span + 1)
    probe = Timeline(Reference(journey, ongoing), [p.subject for p in members])
    ends, watched = [], [start]
    for plan in members:
        fired = probe.first_firing(plan.subject, start, span)
        if fired is None:
            raise _beyond(span, ScenarioError(
                f"{plan.subject.alert} ({plan.subject.severity}): '{plan.title}' does not fire "
                f"within {format_duration(CAP * 60)}: the scenario cannot prove this alert"))
        ends.append(fired + RECOVER_AFTER)
        if plan.must_not_fire:  # the alerts that must stay quiet are asserted when the subject fires, too
            watched.append(fired)
    world = _world(journey, [(e, start, end) for p, end in zip(members, ends) for e in p.effects], span + 1)
    scope = _scope(journey, alerts, world)
    timeline = Timeline(Reference(journey, world), scope)
    horizon = start
    for plan, end in zip(members, ends):
        if not plan.resolves:
            horizon = max(horizon, end)
            continue
        resolved = timeline.first_quiet(plan.subject, end, span)
        if resolved is None:
            raise _beyond(span, ScenarioError(
                f"{plan.subject.alert} ({plan.subject.severity}): does not resolve within "
                f"{format_duration(CAP * 60)} after '{plan.title}' ends"))
        horizon = max(horizon, resolved)
    if span < CAP and horizon > span:  # an incident that need not resolve, still on at the span's end
        raise _BeyondSpan()
    for plan in members:
        for other in plan.must_not_fire:
            if timeline.first_firing(other, 0, horizon) is not None:
                raise ScenarioError(f"{other.alert} ({other.severity}) fires during '{plan.title}', "
                                    f"which should only raise a {plan.subject.severity}")
    names = _names(scope)
    parts = [f"{p.subject.alert} [{p.subject.severity}] {'; '.join(e.description for e in p.effects)} "
             f"{format_duration(start * 60)}-{format_duration(end * 60)}" for p, end in zip(members, ends)]
    name = f"{members[0].family}: {' | '.join(parts)}; then recovery"
    return Scenario(name, world, timeline, horizon, _checks(timeline, names, watched + [horizon], horizon), names,
                    [p.subject for p in members])


def _names(alerts: list[AlertRule]) -> list[str]:
    return list(dict.fromkeys(a.alert for a in alerts))


def _checks(timeline: Timeline, names: list[str], key_steps: list[int], horizon: int) -> list[tuple[int, str]]:
    """Every alert in scope at the scenario's key moments, and each one on both sides of its own
    transitions: the minute before it fires (or resolves) and the minute it does."""
    checks = {(step, name) for step in key_steps if 0 <= step <= horizon for name in names}
    for name in names:
        for change in timeline.transitions(name, horizon):
            checks.update(((change - 1, name), (change, name)))
    order = {name: i for i, name in enumerate(names)}
    return sorted(checks, key=lambda c: (c[0], order[c[1]]))


def healthy(journey: Journey, alerts: list[AlertRule]) -> Scenario:
    base = Baseline(journey)
    # Recorded SLI series only where an alert under test reads them: elsewhere the recording rules write them.
    read = {c for a in alerts for c in alert_inputs(journey, a)}
    effects = [e for e in healthy_effects(base) if e.component[0] != "query" or e.component in read]
    world = _world(journey, [(e, HEALTHY_HORIZON + 1, None) for e in effects], HEALTHY_HORIZON + 1)
    timeline = Timeline(Reference(journey, world), alerts)
    for alert in alerts:
        first = timeline.first_firing(alert, 0, HEALTHY_HORIZON)
        if first is not None:
            raise ScenarioError(f"{alert.alert} ({alert.severity}) fires at {first}m in the healthy baseline")
    return Scenario("healthy baseline: every SLI well inside its budget, every dependency up; nothing fires",
                    world, timeline, HEALTHY_HORIZON,
                    [(step, name) for step in HEALTHY_CHECKPOINTS for name in _names(alerts)], _names(alerts))


def simulated(journey: Journey, alerts: list[AlertRule]) -> list[AlertRule]:
    """The alerts a synthetic world decides: not custom alerts nor raw-PromQL SLOs' burn rates, whose
    inputs obsgen cannot know (recorded_sli.py tests raw SLOs' alerts against recorded series instead)."""
    return [a for a in alerts if not any(c[0] in OPAQUE for c in alert_inputs(journey, a))]


OPAQUE = ("query", "custom", "shared-cause")


def decidable_alerts(journey: Journey, alerts: list[AlertRule]) -> list[AlertRule]:
    """The alerts a synthetic world decides, without those reading native histograms."""
    return [a for a in simulated(journey, alerts) if not alert_reads_native(journey, a)]


def scenarios(journey: Journey, alerts: list[AlertRule] | None = None) -> list[Scenario]:
    """The healthy baseline and every incident plan, for the journey's own alerts unless given others."""
    alerts = decidable_alerts(journey, journey_alerts(journey)) if alerts is None else alerts
    alerts = [a for a in alerts if not alert_reads_native(journey, a)]
    catalogue = plans(journey, alerts)
    with shared_series():
        return [healthy(journey, alerts)] + [_run_unambiguous(journey, alerts, catalogue, members)
                                             for members in pack(catalogue)]


def _run_unambiguous(journey: Journey, alerts: list[AlertRule], catalogue: list[Plan], members: list[Plan]) -> Scenario:
    """Run a pack; when a window average lands exactly on a threshold (tight objectives make the
    healthy and incident counts small whole numbers), retry with slightly stronger incidents."""
    positions = [next(i for i, p in enumerate(catalogue) if p is m) for m in members]

    def run(nudge: float) -> Scenario:
        chosen = members if nudge == NUDGES[0] else [plans(journey, alerts, nudge)[i] for i in positions]
        return run_pack(journey, alerts, chosen)

    for nudge in NUDGES[:-1]:
        try:
            return run(nudge)
        except AmbiguousScenario:
            continue
    return run(NUDGES[-1])
