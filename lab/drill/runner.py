"""One failure drill on the native stack, start to finish.

1. Write a drill copy of the journey's rules (time-scaled) into the stack's state directory and
   reload Prometheus (and Alertmanager) with it.
2. Drive traffic; wait (bounded, saying what it waits for) until no alert of the journey is pending,
   firing or in Alertmanager: an earlier drill's alerts and companions resolve first.
3. Stop the dependency's service (t = 0) and watch Prometheus and Alertmanager until the cause
   fires and reaches Alertmanager, then a while longer for the symptoms.
4. Start the service again (and any service that died with it) and wait, the same way, until every
   alert of the drill has resolved (its companion's period included), so the next drill starts quiet.
5. Always: stop the traffic, start the service if it is still down, reload the generated rules.

A dependency shared in the fleet the stack's generated/ was built with breaks every journey that shares
it: the drill loads all of them, waits until all are quiet, watches each (its own alerts and the shared
cause) and judges each against its own impact map and companion (a FleetDrillResult).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from lab.drill.judge import FAIL, Expectation, Finding, judge, passed
from lab.drill.observe import Observation, combined, observe_journeys
from lab.drill.quiet import still_there, wait_quiet
from lab.drill.scale import (DEFAULT_FACTOR, DrillScale, ScaledAlert, longest_reset_window, scaled_alerts,
                             write_drill_copy)
from lab.drill.services import stack_service
from lab.drill.timeline import AlertTimes, Event, alert_times, latest_transitions, merge, transitions
from lab.drill.traffic import Traffic, TrafficStats
from lab.stack import Stack
from obsgen import progress
from obsgen.artifacts.impact import impact_map
from obsgen.artifacts.prometheus.recently_down import held_back
from obsgen.build.load import load_with_fleet
from obsgen.clients.alertmanager import AlertmanagerApi
from obsgen.clients.http import ApiError
from obsgen.clients.prometheus import PrometheusApi
from obsgen.errors import ObsgenError
from obsgen.model import Journey
from obsgen.promql import format_duration, parse_duration

POLL_SECONDS = 1.0
DEFAULT_TIMEOUT_SECONDS = 300.0
DEFAULT_RATE = 1.0  # visits/s: well below what the default worker sustains (8 threads, 5.1 s of work per order: 1.6/s)
# "Nothing is firing" must hold this many evaluation intervals: right after a reload the scaled
# recording rules have not produced their new series yet, and the alerts reading them see nothing.
QUIET_EVALUATIONS = 3
MIN_AUTO_HOLD_SECONDS = 120.0
CATCH_UP_FACTOR = 2.0
DRILL_DIR = "drill"


class DrillError(ObsgenError):
    """The drill could not run (stack not up, unknown dependency); nothing was judged."""

    exit_code = 2


@dataclass(frozen=True)
class DrillOptions:
    scale: float = DEFAULT_FACTOR
    timeout: float = DEFAULT_TIMEOUT_SECONDS  # for each wait: rules loaded, quiet, cause fired, resolved
    hold: float | None = None  # seconds to keep the failure after the cause fired; None: from the rules
    rate: float = DEFAULT_RATE  # traffic visits per second
    expect: tuple[str, ...] = ()
    service: str | None = None  # override the dependency -> stack service map
    kill: bool = False  # SIGKILL instead of a clean stop
    generated_dir: Path | None = None  # what the stack's Prometheus loads normally (restored after)


@dataclass
class DrillResult:
    journey: str
    dependency: str
    dependency_title: str
    service: str
    scale: DrillScale
    rules_dir: str
    expectation: Expectation
    scaled: list[ScaledAlert]
    hold: float
    resolve_timeout: float
    events: list[Event] = field(default_factory=list)
    times: dict = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    traffic: TrafficStats | None = None
    restored_at: float | None = None

    @property
    def passed(self) -> bool:
        return passed(self.findings)


@dataclass
class FleetDrillResult:
    """A drill of a dependency several journeys share: one failure, each journey judged against its own
    impact map and companion. The parts share the failure (service, scale, hold, timeline, traffic, restore)."""

    drills: list[DrillResult]  # the spec's journey first, then the others that share the dependency, by name

    @property
    def passed(self) -> bool:
        return all(d.passed for d in self.drills)

    @property
    def failed_journeys(self) -> list[str]:
        return [d.journey for d in self.drills if not d.passed]


class _Watch:
    """Polls the journey's alerts and the stack's services; time 0 is set when the failure starts."""

    def __init__(self, stack: Stack, journeys: list[Journey]):
        self.prometheus = PrometheusApi(stack.endpoint("prometheus"))
        self.alertmanager = AlertmanagerApi(stack.endpoint("alertmanager"))
        self.stack = stack
        # The shared dependencies' alerts carry no journey label but are each sharing journey's causes too.
        self.scopes = {j.name: frozenset(n for d in j.dependencies if d.shared for n in d.shared.alert_names)
                       for j in journeys}
        self.origin = time.monotonic()
        self.observations: list[Observation] = []  # every journey of the drill at once: waits and timeline
        self.by_journey: dict[str, list[Observation]] = {name: [] for name in self.scopes}  # what each is judged on
        self.events: list[Event] = []
        self._running = set(stack.running_services())
        self.running_before = frozenset(self._running)

    def start_clock(self) -> None:
        """Make now time 0: what was seen before gets negative times."""
        shift = time.monotonic() - self.origin
        self.origin += shift
        self.observations = _shifted(self.observations, shift)
        self.by_journey = {name: _shifted(seen, shift) for name, seen in self.by_journey.items()}
        self.events = [dataclasses.replace(e, t=e.t - shift) for e in self.events]

    def now(self) -> float:
        return time.monotonic() - self.origin

    def note(self, subject: str, what: str) -> None:
        self.events.append(Event(self.now(), subject, what))
        _show([self.events[-1]])

    def poll(self) -> Observation:
        snapshot = observe_journeys(self.prometheus, self.alertmanager, self.scopes, self.now())
        for name, seen in snapshot.items():
            self.by_journey[name].append(seen)
        obs = combined(list(snapshot.values()))
        self.observations.append(obs)
        running = set(self.stack.running_services())
        changed = len(self.events)
        for name in sorted(self._running - running):
            self.events.append(Event(obs.t, f"service {name}", "stopped running"))
        for name in sorted(running - self._running):
            self.events.append(Event(obs.t, f"service {name}", "running"))
        self._running = running
        _show(self.events[changed:] + latest_transitions(self.observations))
        return obs

    def until(self, done: Callable[[Observation], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            if done(self.poll()):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_SECONDS)

    def while_running(self, action: Callable[[], object]) -> None:
        """Run a slow stack action (RabbitMQ takes seconds to stop) and keep observing meanwhile."""
        failure: list[BaseException] = []

        def run() -> None:
            try:
                action()
            except BaseException as error:  # re-raised in the caller's thread
                failure.append(error)

        worker = threading.Thread(target=run, name="obsgen-drill-action")
        worker.start()
        while worker.is_alive():
            self.poll()
            worker.join(POLL_SECONDS)
        if failure:
            raise failure[0]

    def wait_quiet(self, seconds: float, timeout: float, what: str, say: Callable[[str], None]) -> Observation | None:
        return wait_quiet(self.poll, seconds, timeout, say, what, pause=POLL_SECONDS)


def _shifted(observations: list[Observation], shift: float) -> list[Observation]:
    return [dataclasses.replace(o, t=o.t - shift) for o in observations]


def _show(events: list[Event]) -> None:
    """The timeline as it happens (the report prints it whole at the end)."""
    for event in events:
        progress.step(f"drill {event.line().strip()}")


def prepare(spec: Path, dependency: str, state_dir: Path | str | None, options: DrillOptions
            ) -> tuple[list[Journey], Stack, list[DrillResult]]:
    """The journeys the drill watches (the spec's; with every journey that shares the dependency in the fleet
    the stack's generated/ was built with), the stack, and one result per journey, its expectation set."""
    journey, fleet = load_with_fleet(spec, options.generated_dir or Path("generated"))
    names = [d.name for d in journey.dependencies]
    if dependency not in names:
        raise DrillError(f"journey {journey.name} has no dependency {dependency!r}; it has: {', '.join(names)}")
    dep = journey.dependency(dependency)
    journeys = [journey] + (sharing(fleet, dependency, besides=journey.name) if dep.shared else [])
    service = options.service or stack_service(dep)
    stack = Stack(state_dir)
    needed = sorted({"prometheus", "alertmanager", "nginx", "api", service})
    down = [name for name in needed if not stack.is_running(name)]
    if down:
        raise DrillError(f"the stack in {stack.layout.state_dir} is not running {', '.join(down)}; "
                         f"start it first: obsgen stack up --fast")
    scale = DrillScale(options.scale, float(stack.scrape_seconds))
    rules_dir = str(stack.layout.state_dir / DRILL_DIR / "generated")
    results = [DrillResult(j.name, dependency, dep.title, service, scale, rules_dir, expectation, scaled, 0.0, 0.0)
               for j, (expectation, scaled) in zip(journeys, planned(journeys, dependency, scale, options.expect))]
    hold = options.hold if options.hold is not None else max(auto_hold(r.scaled, r.expectation, scale)
                                                             for r in results)
    resolve_timeout = max([options.timeout] + [resolution_time(j, r.scaled, scale) for j, r in zip(journeys, results)])
    for result in results:
        result.hold, result.resolve_timeout = hold, resolve_timeout
    return journeys, stack, results


def sharing(fleet: tuple[Journey, ...], dependency: str, besides: str) -> list[Journey]:
    """The other journeys of the fleet that share the dependency (by name, as the fleet resolves sharing)."""
    return [j for j in fleet if j.name != besides and any(d.name == dependency and d.shared for d in j.dependencies)]


def planned(journeys: list[Journey], dependency: str, scale: DrillScale, expect: tuple[str, ...]
            ) -> list[tuple[Expectation, list[ScaledAlert]]]:
    """Each journey's expectation from its own impact map and companion, and its scaled alerts. An
    alert required by --expect is required of the journeys that have it; one none has, of the first."""
    scaled = [scaled_alerts(journey, scale) for journey in journeys]
    owned = [{a.alert for a in alerts} for alerts in scaled]
    unknown = tuple(a for a in expect if not any(a in names for names in owned))
    plans = []
    for index, journey in enumerate(journeys):
        required = tuple(a for a in expect if a in owned[index]) + (unknown if index == 0 else ())
        dep = journey.dependency(dependency)
        impact = impact_map(journey).of(dependency)
        expectation = Expectation(impact.cause.alert, impact.symptom_alert_names, required,
                                  dep.recently_down_alert_name, held_back(impact.symptoms))
        plans.append((expectation, scaled[index]))
    return plans


def resolution_time(journey: Journey, scaled: list[ScaledAlert], scale: DrillScale) -> float:
    """How long resolution may take by the rules alone: the longest window that must clear, the
    longest `for`, and a minute for the application to catch up (queued work, reconnects)."""
    holds = [parse_duration(a.hold) for a in scaled]
    return longest_reset_window(journey, scale) + max(holds, default=0.0) + 60


def auto_hold(scaled: list[ScaledAlert], expect: Expectation, scale: DrillScale) -> float:
    """Long enough for a symptom to fill its shortest window twice over and outlast its `for`, and
    never shorter than MIN_AUTO_HOLD: the application's own timeouts and retries (a task retried
    with backoff for minutes) run in real time, and their failures are part of the impact."""
    holds = [parse_duration(a.hold) for a in scaled if a.alert in expect.symptoms]
    return max(MIN_AUTO_HOLD_SECONDS, max(holds, default=0.0) + 2 * scale.min_window)


def run_drill(spec: Path, dependency: str, state_dir: Path | str | None = None,
              options: DrillOptions = DrillOptions(), say: Callable[[str], None] = progress.step
              ) -> DrillResult | FleetDrillResult:
    """The drill; `say` gets progress lines while it waits. A dependency shared in the fleet gives a
    FleetDrillResult: every journey that shares it watched through one failure and judged on its own."""
    journeys, stack, results = prepare(spec, dependency, state_dir, options)
    lead = results[0]  # what the parts share: service, scale, hold, waits
    rules_dir = Path(lead.rules_dir)
    write_drill_copy(journeys, lead.scale, rules_dir)
    watch = _Watch(stack, journeys)
    traffic = Traffic(stack.endpoint("nginx"), rate=options.rate)
    try:
        _drive(watch, stack, lead, options, say, state_dir, traffic)
    finally:
        stats = traffic.stop()
        Stack(state_dir, generated_dir=options.generated_dir).reload()
    events = merge(watch.events, transitions(watch.observations))
    for result in results:
        result.traffic, result.restored_at, result.events = stats, lead.restored_at, events
        result.resolve_timeout = lead.resolve_timeout
        seen = watch.by_journey[result.journey]
        result.times = alert_times([o for o in seen if o.t >= 0])
        result.findings = judge(result.expectation, seen, result.restored_at)
    restored = Stack(state_dir, generated_dir=options.generated_dir).layout.generated_dir
    try:
        _wait_for_rules(watch.prometheus, restored, options.timeout, healthy=("ok", "unknown"))
    except DrillError as error:
        for result in results:
            result.findings.append(Finding(FAIL, f"the generated rules were not restored: {error}"))
    return results[0] if len(results) == 1 else FleetDrillResult(results)


def _drive(watch: _Watch, stack: Stack, result: DrillResult, options: DrillOptions, say: Callable[[str], None],
           state_dir: Path | str | None, traffic: Traffic) -> None:
    """Load the drill rules, wait quiet, break the dependency, hold, restore, wait for every alert of every
    journey watched to resolve; the service is started again whatever happens."""
    rules_dir = Path(result.rules_dir)
    stopped = False
    try:
        Stack(state_dir, generated_dir=rules_dir).reload()
        watch.note("drill", f"rules scaled by 1/{result.scale.factor:g} loaded")
        progress.step("drill: waiting until Prometheus evaluates the scaled rules")
        _wait_for_rules(watch.prometheus, rules_dir, options.timeout)
        traffic.start()
        watch.note("drill", f"traffic started ({options.rate:g} visits/s)")
        quiet = QUIET_EVALUATIONS * result.scale.evaluation_interval
        whom = "the journey" if len(watch.scopes) == 1 else f"the journeys {', '.join(watch.scopes)}"
        # As long as resolution may take: an earlier drill's alerts (and companions) end within it.
        if watch.wait_quiet(quiet, result.resolve_timeout, f"for {whom} to be quiet before the failure", say) is None:
            raise DrillError(f"{whom} was not quiet within {format_duration(result.resolve_timeout)} before the "
                             f"failure: {still_there(watch.observations[-1])}")
        watch.start_clock()
        progress.step("drill: the failure starts: timeline offsets count from here")
        watch.note("failure", f"{'killing' if options.kill else 'stopping'} {result.service}")
        stopped = True
        watch.while_running(lambda: stack.stop_service(result.service, force=options.kill))
        watch.note("failure", f"{result.service} is down")
        cause = result.expectation.cause
        arrived = watch.until(lambda o: o.firing(cause) and o.active_in_alertmanager(cause), options.timeout)
        hold_until = watch.now() + (result.hold if arrived else 0)
        watch.until(lambda o: o.t >= hold_until, result.hold + POLL_SECONDS)
        result.restored_at = _restore(stack, result.service, watch)
        stopped = False
        # Work queued during the outage is caught up in real time after it: allow twice its length.
        result.resolve_timeout += CATCH_UP_FACTOR * result.restored_at
        watch.wait_quiet(quiet, result.resolve_timeout, "for every alert of the drill to resolve", say)
    except ApiError as error:
        raise DrillError(f"lost the stack's API during the drill: {error}") from error
    finally:
        if stopped:  # interrupted mid-failure: bring the service back before anything else
            stack.start_service(result.service)


def _restore(stack: Stack, service: str, watch: _Watch) -> float:
    """Start the service, and every service that stopped running during the drill (a worker that
    exits when its broker goes away): the drill leaves the stack as it found it.
    Returns when the service was ready again: the time resolution is measured from."""
    watch.note("restore", f"starting {service}")
    watch.while_running(lambda: stack.start_service(service))
    restored_at = watch.now()
    watch.note("restore", f"{service} is ready")
    for name in sorted(watch.running_before - set(stack.running_services())):
        watch.while_running(lambda name=name: stack.start_service(name))
        watch.note("restore", f"started {name} (it stopped during the drill)")
    return restored_at


def _wait_for_rules(api: PrometheusApi, rules_dir: Path, timeout: float, healthy: tuple[str, ...] = ("ok",)) -> None:
    """Until every rule group Prometheus runs comes from rules_dir and each rule's health is one of
    `healthy`: evaluated ("ok") for the drill copy, whose alerts the drill watches next; not failing
    ("ok" or "unknown") for the restored generated rules, whose groups evaluate up to their own (production)
    interval later, which no drill should sit out."""
    deadline = time.monotonic() + timeout
    prefix = str(rules_dir)
    while True:
        groups = api.rules()
        ours = [g for g in groups if g.get("file", "").startswith(prefix)]
        if ours and all(r.get("health") in healthy for g in ours for r in g["rules"]):
            return
        if time.monotonic() >= deadline:
            broken = [f"{r['name']}: {r.get('lastError') or r.get('health')}" for g in ours for r in g["rules"]
                      if r.get("health") not in healthy]
            raise DrillError(f"Prometheus did not load the drill rules from {rules_dir} within "
                             f"{format_duration(timeout)}" + (f": {'; '.join(broken[:3])}" if broken else ""))
        time.sleep(POLL_SECONDS)


def times_of(result: DrillResult) -> list[AlertTimes]:
    return list(result.times.values())
