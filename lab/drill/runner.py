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
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from lab.drill.judge import FAIL, Expectation, Finding, judge, passed
from lab.drill.observe import Observation, observe
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
from obsgen.build.load import load_in_fleet
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


class _Watch:
    """Polls the journey's alerts and the stack's services; time 0 is set when the failure starts."""

    def __init__(self, stack: Stack, journey: Journey):
        self.prometheus = PrometheusApi(stack.endpoint("prometheus"))
        self.alertmanager = AlertmanagerApi(stack.endpoint("alertmanager"))
        self.stack = stack
        self.journey = journey.name
        # The shared dependencies' alerts carry no journey label but are this journey's causes too.
        self.shared_alerts = frozenset(n for d in journey.dependencies if d.shared for n in d.shared.alert_names)
        self.origin = time.monotonic()
        self.observations: list[Observation] = []
        self.events: list[Event] = []
        self._running = set(stack.running_services())
        self.running_before = frozenset(self._running)

    def start_clock(self) -> None:
        """Make now time 0: what was seen before gets negative times."""
        shift = time.monotonic() - self.origin
        self.origin += shift
        self.observations = [dataclasses.replace(o, t=o.t - shift) for o in self.observations]
        self.events = [dataclasses.replace(e, t=e.t - shift) for e in self.events]

    def now(self) -> float:
        return time.monotonic() - self.origin

    def note(self, subject: str, what: str) -> None:
        self.events.append(Event(self.now(), subject, what))
        _show([self.events[-1]])

    def poll(self) -> Observation:
        obs = observe(self.prometheus, self.alertmanager, self.journey, self.now(), self.shared_alerts)
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


def _show(events: list[Event]) -> None:
    """The timeline as it happens (the report prints it whole at the end)."""
    for event in events:
        progress.step(f"drill {event.line().strip()}")


def prepare(spec: Path, dependency: str, state_dir: Path | str | None, options: DrillOptions
            ) -> tuple[Journey, Stack, DrillResult]:
    # Resolved with the journeys the stack's generated/ was built with: a shared dependency's alert names.
    journey = load_in_fleet(spec, options.generated_dir or Path("generated"))
    names = [d.name for d in journey.dependencies]
    if dependency not in names:
        raise DrillError(f"journey {journey.name} has no dependency {dependency!r}; it has: {', '.join(names)}")
    dep = journey.dependency(dependency)
    impact = impact_map(journey).of(dependency)
    service = options.service or stack_service(dep)
    stack = Stack(state_dir)
    needed = sorted({"prometheus", "alertmanager", "nginx", "api", service})
    down = [name for name in needed if not stack.is_running(name)]
    if down:
        raise DrillError(f"the stack in {stack.layout.state_dir} is not running {', '.join(down)}; "
                         f"start it first: obsgen stack up --fast")
    scale = DrillScale(options.scale, float(stack.scrape_seconds))
    expectation = Expectation(impact.cause.alert, impact.symptom_alert_names, tuple(options.expect),
                              dep.recently_down_alert_name, held_back(impact.symptoms))
    scaled = scaled_alerts(journey, scale)
    hold = options.hold if options.hold is not None else auto_hold(scaled, expectation, scale)
    rules_dir = stack.layout.state_dir / DRILL_DIR / "generated"
    resolve_timeout = max(options.timeout, resolution_time(journey, scaled, scale))
    result = DrillResult(journey.name, dependency, dep.title, service, scale, str(rules_dir), expectation,
                         scaled, hold, resolve_timeout)
    return journey, stack, result


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
              options: DrillOptions = DrillOptions(), say: Callable[[str], None] = progress.step) -> DrillResult:
    """The drill; `say` gets progress lines while it waits."""
    journey, stack, result = prepare(spec, dependency, state_dir, options)
    rules_dir = Path(result.rules_dir)
    write_drill_copy(journey, result.scale, rules_dir)
    watch = _Watch(stack, journey)
    traffic = Traffic(stack.endpoint("nginx"), rate=options.rate)
    stopped = False
    try:
        Stack(state_dir, generated_dir=rules_dir).reload()
        watch.note("drill", f"rules scaled by 1/{result.scale.factor:g} loaded")
        progress.step("drill: waiting until Prometheus evaluates the scaled rules")
        _wait_for_rules(watch.prometheus, rules_dir, options.timeout)
        traffic.start()
        watch.note("drill", f"traffic started ({options.rate:g} visits/s)")
        quiet = QUIET_EVALUATIONS * result.scale.evaluation_interval
        # As long as resolution may take: an earlier drill's alerts (and companions) end within it.
        if watch.wait_quiet(quiet, result.resolve_timeout, "for the journey to be quiet before the failure", say) is None:
            raise DrillError(f"the journey was not quiet within {format_duration(result.resolve_timeout)} before the "
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
        result.traffic = traffic.stop()
        try:
            if stopped:  # interrupted mid-failure: bring the service back before anything else
                stack.start_service(result.service)
        finally:
            Stack(state_dir, generated_dir=options.generated_dir).reload()
    result.events = merge(watch.events, transitions(watch.observations))
    result.times = alert_times([o for o in watch.observations if o.t >= 0])
    result.findings = judge(result.expectation, watch.observations, result.restored_at)
    restored = Stack(state_dir, generated_dir=options.generated_dir).layout.generated_dir
    try:
        _wait_for_rules(watch.prometheus, restored, options.timeout, healthy=("ok", "unknown"))
    except DrillError as error:
        result.findings.append(Finding(FAIL, f"the generated rules were not restored: {error}"))
    return result


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
