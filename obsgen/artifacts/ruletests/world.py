"""A synthetic world: the input series of one promtool test group, one sample per step.

Scenarios describe what happens (traffic with some share of errors and slow requests, a
dependency's health, a queue's depth) as phases; this module turns phases into counter and
gauge series whose labels come from the model's own selectors.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from obsgen.artifacts.prometheus.sli import sli_series
from obsgen.artifacts.ruletests.notation import STALE, Sample
from obsgen.artifacts.ruletests.values import NoMatchingValue, series_labels
from obsgen.model import DEFAULT_BUCKETS, Dependency, Health, Histogram, Journey, Saturation, Slo, SloType, Stage
from obsgen.promql import Selector, format_number

STEP_SECONDS = 60
# Counters start high, as they do on a server that has been up for a while; it also keeps
# rate() from clamping its extrapolation at the counter's zero point.
COUNTER_START = 1_000_000
# A heartbeat counter's increase per step while the dependency works.
HEARTBEATS_PER_STEP = 60
# A ratio's denominator (a pool's size, a connection limit): numerators are a share of it.
RATIO_DENOMINATOR = 200
# The value every series of the world has for each of the journey's dimensions (spec.by).
DIMENSION_VALUE = "a"

T = TypeVar("T")


@dataclass(frozen=True)
class Traffic:
    """Events finishing in one step: how many, how many failed, how many were slow.

    ``latencies`` (latency, count) pairs replace the fast/slow split in a histogram when given.
    """

    total: int
    errors: int = 0
    slow: int = 0
    latencies: tuple[tuple[float, int], ...] = ()


@dataclass(frozen=True)
class Phase(Generic[T]):
    """From step ``start`` on (until the next phase), the world is in this state; None = no data."""

    start: int
    value: T | None


@dataclass
class Series:
    labels: dict[str, str]
    samples: list[Sample]

    def promql_labels(self) -> str:
        from obsgen.promql import series

        return series(self.labels["__name__"], {k: v for k, v in self.labels.items() if k != "__name__"})


Component = tuple[str, ...]  # ("requests", stage) | ("latency", stage) | ("journey_time",) | ("health", dep)
#                              | ("saturation", dep, signal)


@dataclass
class World:
    steps: int
    series: list[Series] = field(default_factory=list)
    components: set[Component] = field(default_factory=set)
    step_seconds: int = STEP_SECONDS


def per_step(phases: list[Phase[T]], steps: int) -> list[T | None]:
    """The state at every step; before the first phase there is no data."""
    states: list[T | None] = []
    current: T | None = None
    # Each phase holds from its start (the first step for one that starts before it) until the next
    # one's: a run of the same object, written once a phase rather than looked up once a step.
    for phase in sorted(phases, key=lambda p: p.start):
        until = min(max(phase.start, 0), steps)
        states.extend([current] * (until - len(states)))
        current = phase.value
    states.extend([current] * (steps - len(states)))
    return states


def _visible(samples: list[float], present: list[bool]) -> list[Sample]:
    """Hide samples where there is no data; the first hidden step carries a staleness marker,
    as Prometheus writes one when a target or series disappears."""
    if len(present) == len(samples) and all(present):
        return list(samples)
    out: list[Sample] = []
    for step, (value, shown) in enumerate(zip(samples, present)):
        if shown:
            out.append(value)
        elif step > 0 and present[step - 1]:
            out.append(STALE)
        else:
            out.append(None)
    return out


def _counter(increments: list[int], present: list[bool]) -> list[Sample]:
    """A counter whose increments[step] events happen between sample step and step + 1.

    A phase starting at step S therefore changes the counter from sample S + 1 on: the events
    of a phase happen inside it, so "errors from minute 10" first show in the sample at 11m.
    """
    values = list(itertools.accumulate(increments[:-1], initial=COUNTER_START)) if increments else []
    return _visible(values, present)


def latency_buckets(histogram: Histogram) -> tuple[float, ...]:
    """Bucket bounds in the histogram's unit."""
    return tuple(sorted(histogram.buckets or (histogram.in_unit(b) for b in DEFAULT_BUCKETS)))


def fast_latency(histogram: Histogram) -> float:
    """Fast events land in the first bucket (le is inclusive)."""
    return latency_buckets(histogram)[0]


def slow_latency(histogram: Histogram, thresholds: list[float]) -> float:
    """Slow events land in the first bucket above every threshold the rules compare against
    (the last bucket when nothing compares against this histogram)."""
    buckets = latency_buckets(histogram)
    if not thresholds:
        return buckets[-1]
    above = [b for b in buckets if b > max(thresholds) + 1e-12]
    return above[0] if above else float("inf")


def spread(histogram: Histogram, per_bucket: int = 10) -> tuple[tuple[float, int], ...]:
    """A latency mix with a different number of events in every bucket (and some beyond the last),
    so a rule reading the wrong bucket gets a different number."""
    buckets = latency_buckets(histogram)
    return tuple((bound, per_bucket * (i + 1)) for i, bound in enumerate(buckets)) + ((float("inf"), per_bucket),)


def le_value(bound: float) -> str:
    return "+Inf" if bound == float("inf") else format_number(bound)


class WorldBuilder:
    """Writes the series of the components a scenario needs, all over the same number of steps."""

    def __init__(self, journey: Journey, steps: int, step_seconds: int = STEP_SECONDS):
        self.journey = journey
        self.world = World(steps, step_seconds=step_seconds)
        self._histogram_counts: dict[Component, Series] = {}
        self._dimensions = dimension_labels(journey)

    def build(self) -> World:
        self._drop_counts_the_requests_carry()
        return self.world

    def _drop_counts_the_requests_carry(self) -> None:
        """A stage counting its requests with its latency histogram's own ``_count`` (OpenTelemetry,
        Micrometer) has one series family for both: when the request counters are written, they are
        that ``_count``, and the histogram's own copy would count every event twice."""
        for stage in self.journey.stages:
            if stage.latency is None or stage.requests.metric != stage.latency.count.metric:
                continue
            if ("requests", stage.name) not in self.world.components:
                continue
            duplicate = self._histogram_counts.get(("latency", stage.name))
            self.world.series = [s for s in self.world.series if s is not duplicate]

    # -- counters -----------------------------------------------------------------------------------
    def _add(self, labels: dict[str, str], samples: list[Sample]) -> None:
        # A selector that fixes a dimension label itself keeps its value.
        self.world.series.append(Series({**self._dimensions, **labels}, samples))

    def stage_requests(self, stage: Stage, phases: list[Phase[Traffic]]) -> None:
        states = per_step(phases, self.world.steps)
        present = [s is not None for s in states]
        totals = [s.total if s else 0 for s in states]
        errors = [s.errors if s else 0 for s in states]
        alert_errors = [stage.error_rate_alert.errors] if stage.error_rate_alert else []
        on_requests = [e for e in (stage.errors, *alert_errors) if e.metric == stage.requests.metric]
        if on_requests:
            good = series_labels([stage.requests], on_requests)
            bad = series_labels([stage.requests, *on_requests])
            self._add(good, _counter([t - e for t, e in zip(totals, errors)], present))
            self._add(bad, _counter(errors, present))
        else:
            self._add(series_labels([stage.requests]), _counter(totals, present))
        # Failures another counter records (failed logins in an events counter): one series each
        # metric selected by all its selectors, else one per selector.
        elsewhere: dict[str, list[Selector]] = {}
        for selector in (stage.errors, *alert_errors):
            if selector.metric != stage.requests.metric and selector not in elsewhere.get(selector.metric, []):
                elsewhere.setdefault(selector.metric, []).append(selector)
        for selectors in elsewhere.values():
            try:
                groups = [series_labels(selectors)]
            except NoMatchingValue:
                groups = [series_labels([selector]) for selector in selectors]
            for labels in groups:
                self._add(labels, _counter(errors, present))
        self.world.components.add(("requests", stage.name))

    def histogram(self, histogram: Histogram, thresholds: list[float], phases: list[Phase[Traffic]],
                  component: Component) -> None:
        if histogram.native:
            return  # the rule tests write classic series only (see ruletests.native)
        states = per_step(phases, self.world.steps)
        present = [s is not None for s in states]
        fast, slow = fast_latency(histogram), slow_latency(histogram, [histogram.in_unit(t) for t in thresholds])

        def observed(state: Traffic | None) -> tuple[tuple[float, int], ...]:
            if state is None:
                return ()
            return state.latencies or ((fast, state.total - state.slow), (slow, state.slow))

        # A phase's steps share one state: count each state's events once, not once a step.
        keys = [id(state) for state in states]
        distinct = {id(state): state for state in states}
        mixes = {key: observed(state) for key, state in distinct.items()}
        base = series_labels([histogram.bucket])
        for bound in (*latency_buckets(histogram), float("inf")):
            counts = {key: sum(n for latency, n in mix if latency <= bound) for key, mix in mixes.items()}
            self._add({**base, "le": le_value(bound)}, _counter([counts[key] for key in keys], present))
        totals = {key: sum(n for _, n in mix) for key, mix in mixes.items()}
        self._add(series_labels([histogram.count]), _counter([totals[key] for key in keys], present))
        self._histogram_counts[component] = self.world.series[-1]
        self.world.components.add(component)

    def stage_latency(self, stage: Stage, phases: list[Phase[Traffic]]) -> None:
        self.histogram(stage.latency, stage_latency_thresholds(self.journey, stage), phases, ("latency", stage.name))

    def journey_time(self, phases: list[Phase[Traffic]]) -> None:
        thresholds = [slo.threshold for slo in self.journey.slos if slo.type == SloType.JOURNEY_TIME]
        self.histogram(self.journey.journey_time, thresholds, phases, ("journey_time",))

    def counter(self, selector: Selector, extra: dict[str, str], per_step_increment: int) -> None:
        labels = {**series_labels([selector]), **extra}
        steps = self.world.steps
        self._add(labels, _counter([per_step_increment] * steps, [True] * steps))

    # -- gauges -------------------------------------------------------------------------------------
    def gauge(self, selector: Selector, values: list[float | None], component: Component) -> None:
        present = [v is not None for v in values]
        self._add(series_labels([selector]), _visible([v if v is not None else 0 for v in values], present))
        self.world.components.add(component)

    def health(self, dep: Dependency, phases: list[Phase[float]]) -> None:
        """The health signal's reading (a gauge's value, a heartbeat's beats per step), or None (gone)."""
        states = per_step(phases, self.world.steps)
        health = dep.health
        if health.heartbeat is not None:
            present = [s is not None for s in states]
            self._add(series_labels([health.selector]), _counter([round(s or 0) for s in states], present))
            self.world.components.add(("health", dep.name))
        else:
            self.gauge(health.selector, states, ("health", dep.name))

    def recorded_sli(self, slo: Slo, phases: list[Phase[float]]) -> None:
        """A raw-PromQL SLO's recorded ratios as input series (obsgen cannot simulate its queries): at every
        window, the mean of the per-minute error ratio over the window's minutes, as a server records them."""
        per_minute = per_step(phases, self.world.steps)
        for window in slo.windows:
            minutes = int(window // self.world.step_seconds)
            values = []
            for step in range(self.world.steps):
                seen = [r for r in per_minute[max(0, step - minutes + 1): step + 1] if r is not None]
                values.append(round(sum(seen) / len(seen), RECORDED_DIGITS) if seen else None)
            self.gauge(sli_series(self.journey, slo, window), values, ("query", slo.name))

    def failures(self, stage: Stage, phases: list[Phase[int]]) -> None:
        """A failures alert's own counter, counting the given failures a minute."""
        increments = per_step(phases, self.world.steps)
        steps = self.world.steps
        self._add(series_labels([stage.failures_alert.failures]), _counter([n or 0 for n in increments], [True] * steps))
        self.world.components.add(("failures", stage.name))

    def timeslice(self, slo: Slo, phases: list[Phase[float]]) -> None:
        """A time-slice SLO's gauge, with the given share of bad slices in each phase (None = no data)."""
        states = per_step(phases, self.world.steps)
        starts = per_step([Phase(p.start, p.start) for p in phases], self.world.steps)
        values = [None if share is None else timeslice_value(slo, step, bad_slice(share, step - start))
                  for step, (share, start) in enumerate(zip(states, starts))]
        self.gauge(slo.timeslice.selector, values, ("timeslice", slo.name))

    def saturation(self, dep: Dependency, sat: Saturation, value_at: Callable[[int], float | None]) -> None:
        """The signal at value_at(step): the gauge itself, or a ratio over a constant denominator."""
        values = [value_at(step) for step in range(self.world.steps)]
        component = ("saturation", dep.name, sat.name)
        if sat.denominator is None:
            self.gauge(sat.selector, values, component)
            return
        self.gauge(sat.selector, [None if v is None else v * RATIO_DENOMINATOR for v in values], component)
        self.gauge(sat.denominator, [None if v is None else RATIO_DENOMINATOR for v in values], component)


def dimension_labels(journey: Journey) -> dict[str, str]:
    """The dimension labels of every series in a world, and so of every per-dimension rule result."""
    return {label: DIMENSION_VALUE for label in journey.dims}


def healthy_reading(health: Health) -> float:
    """A reading the health signal takes as healthy, a clear margin from any bound."""
    if health.heartbeat is not None:
        return HEARTBEATS_PER_STEP
    low, high = health.below, health.above
    if low is not None and high is not None:
        return (low + high) / 2
    if low is not None:
        return low + _margin(low)
    return high - _margin(high) if high is not None else 1.0


def unhealthy_readings(health: Health) -> list[tuple[str, float]]:
    """Every way the signal reads as down, as (how, reading): each bound of a range is proven on its own."""
    if health.heartbeat is not None:
        return [("heartbeat stops", 0.0)]
    if health.below is None and health.above is None:
        return [("health reports 0", 0.0)]
    ways = []
    if health.below is not None:
        ways.append(("health below its healthy range", health.below - _margin(health.below)))
    if health.above is not None:
        ways.append(("health above its healthy range", health.above + _margin(health.above)))
    return ways


def _margin(bound: float) -> float:
    return max(1.0, abs(bound))


# Recorded ratios are written rounded, so the test file holds exactly the value the reference reads.
RECORDED_DIGITS = 9


def bad_slice(share: float, offset: int) -> bool:
    """Spread bad slices evenly through a phase: the offset-th slice is bad when it completes another
    whole share (so a share of 0.02 makes every 50th slice bad, a share of 1 every slice)."""
    return math.floor((offset + 1) * share + 1e-9) > math.floor(offset * share + 1e-9)


def timeslice_value(slo: Slo, step: int, bad: bool) -> float:
    """The gauge reading of a good or bad slice, well clear of the threshold either way."""
    ts = slo.timeslice
    if ts.kind == SloType.FRESHNESS:
        # last success timestamp: a good slice's is a twelfth of the allowed age old, a bad one's a minute too old
        age = ts.threshold + STEP_SECONDS if bad else math.floor(ts.threshold / 12)
        return step * STEP_SECONDS - age
    return 2 * ts.threshold + 1 if bad else math.floor(ts.threshold / 12)


def stage_latency_thresholds(journey: Journey, stage: Stage) -> list[float]:
    """Every latency a rule compares this stage's histogram against."""
    thresholds = [slo.threshold for slo in journey.slos if slo.type == SloType.LATENCY and stage.name in slo.stages]
    if stage.latency_alert:
        thresholds.append(stage.latency_alert.threshold)
    return thresholds
