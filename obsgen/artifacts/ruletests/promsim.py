"""The few PromQL primitives the generated rules use, evaluated over a World as Prometheus does.

This is the reference the generated tests are written from: the expected value of a rule is
computed here, from the model, and promtool must agree. Floating-point operations follow the
Prometheus source in the same order (rate's extrapolation factor, plain summation), so that
promql_expr_test can compare values exactly as promtool does. Where Prometheus 2.42 and 3.x
differ (generation.py), the Sim follows the generation it is made for.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from obsgen.artifacts.ruletests import generation as generations
from obsgen.artifacts.ruletests.column import Column
from obsgen.artifacts.ruletests.notation import STALE
from obsgen.artifacts.ruletests.values import selector_matches
from obsgen.artifacts.ruletests.world import World
from obsgen.promql import Selector

LOOKBACK_SECONDS = 300  # Prometheus' default query.lookback-delta


@dataclass(frozen=True)
class Point:
    t_ms: int
    value: float


class _Indexed:
    """One series prepared for O(1) range queries: where the samples are, and whether it ever drops."""

    def __init__(self, labels: dict[str, str], samples):
        self.labels = labels
        self.values = [None if s is None or s == STALE else float(s) for s in samples]
        # where the samples are: count_before[k] of them before step k, the i-th of them at sampled_at[i]
        self.sampled_at = [k for k, value in enumerate(self.values) if value is not None]
        self.count_before = list(itertools.accumulate((value is not None for value in self.values), initial=0))
        shown = [self.values[k] for k in self.sampled_at]
        self.monotonic = all(a <= b for a, b in itertools.pairwise(shown))
        self.stale = [s == STALE for s in samples]

    def relabelled(self, labels: dict[str, str]) -> _Indexed:
        """The same samples under another series' labels (the arrays are shared, never changed)."""
        twin = copy.copy(self)
        twin.labels = labels
        return twin


class SharedSeries:
    """What the worlds of one journey's scenarios have in common, worked out once: a pack's probe world and
    its final one hold the same samples until the incident ends, and many series (steady traffic, the same
    incident in the Prometheus 2 and 3 runs) recur. Keyed by the samples themselves, so sharing never
    changes a value; scoped to one `shared_series()` block, so a fleet's journeys do not pile up."""

    def __init__(self) -> None:
        self.indexed: dict[tuple, _Indexed] = {}
        self.columns: dict[tuple, Column] = {}
        # The worlds' series labels, each distinct list numbered; what a selector selects in each, by number.
        self.layouts: dict[tuple, int] = {}
        self.selections: dict[tuple[Selector, int], list[int]] = {}

    def layout(self, world: World) -> int:
        """The number of the world's list of series labels: worlds listing the same labels share selections."""
        key = tuple(tuple(series.labels.items()) for series in world.series)
        return self.layouts.setdefault(key, len(self.layouts))


_SHARED: ContextVar[SharedSeries | None] = ContextVar("obsgen_shared_series", default=None)


@contextmanager
def shared_series() -> Iterator[None]:
    """Sims made inside this block share indexed series and their rate columns."""
    token = _SHARED.set(SharedSeries())
    try:
        yield
    finally:
        _SHARED.reset(token)


def _content_key(samples) -> tuple | None:
    """The samples as a dictionary key, or None when equal keys could hold different floats (0.0 == -0.0)."""
    key = tuple(samples)
    if 0.0 in key and any(type(s) is float and s == 0.0 and math.copysign(1.0, s) < 0 for s in key):
        return None
    return key


class Sim:
    """Evaluate primitives at a step of a world (time = step * world.step_seconds)."""

    def __init__(self, world: World, generation: int | None = None):
        self.world = world
        self.generation = generation or generations.current()
        # Prometheus 3: (t - range, t] and (t - lookback, t]; 2.x: [t - range, t] and [t - lookback, t].
        self.left_open = generations.left_open(self.generation)
        self.step_ms = world.step_seconds * 1000
        self._indexed: list[_Indexed | None] = [None] * len(world.series)  # indexed when first selected
        self._selected: dict[Selector, list[_Indexed]] = {}
        self._columns: dict[tuple, Column] = {}
        self._shared = _SHARED.get() or SharedSeries()
        self._layout = self._shared.layout(world)

    def t_ms(self, step: int) -> int:
        return step * self.step_ms

    def select(self, selector: Selector) -> list[_Indexed]:
        """Series matched by selector, in label order (as the head block returns them)."""
        selected = self._selected.get(selector)
        if selected is None:
            key = (selector, self._layout)
            positions = self._shared.selections.get(key)
            if positions is None:
                every = self.world.series
                found = [k for k, s in enumerate(every) if selector_matches(selector, s.labels)]
                positions = self._shared.selections[key] = sorted(found, key=lambda k: sorted(every[k].labels.items()))
            selected = self._selected[selector] = [self._index(k) for k in positions]
        return selected

    def _index(self, position: int) -> _Indexed:
        if self._indexed[position] is None:
            series = self.world.series[position]
            key = _content_key(series.samples)
            known = None if key is None else self._shared.indexed.get(key)
            if known is None:
                known = _Indexed(series.labels, series.samples)
                if key is not None:
                    self._shared.indexed[key] = known
            self._indexed[position] = known.relabelled(series.labels)
        return self._indexed[position]

    # -- instant vectors ----------------------------------------------------------------------------
    def instant(self, selector: Selector, step: int) -> list[tuple[dict[str, str], float]]:
        out = []
        oldest = self.oldest_step(step, LOOKBACK_SECONDS)
        for series in self.select(selector):
            last = min(step, len(series.values) - 1)
            # the newest sample or staleness marker at or before step decides
            k = last
            while k >= 0 and series.values[k] is None and not series.stale[k]:
                k -= 1
            if k >= 0 and k >= oldest and not series.stale[k]:
                out.append((series.labels, series.values[k]))
        return out

    def absent(self, selector: Selector, step: int) -> bool:
        return not self.instant(selector, step)

    # -- range vectors ------------------------------------------------------------------------------
    def oldest_step(self, step: int, window_s: float) -> int:
        """The oldest step whose sample x[window] at step still holds (may be negative)."""
        start_ms = self.t_ms(step) - round(window_s * 1000)
        if self.left_open:
            return start_ms // self.step_ms + 1
        return -(-start_ms // self.step_ms)

    def _window(self, series: _Indexed, step: int, window_s: float) -> tuple[int, int]:
        """First and last index of the samples in the range ending at step."""
        low = max(0, self.oldest_step(step, window_s))
        high = min(step, len(series.values) - 1)
        return low, high

    def points(self, series: _Indexed, step: int, window_s: float) -> list[Point]:
        low, high = self._window(series, step, window_s)
        return [Point(self.t_ms(k), series.values[k]) for k in range(low, high + 1) if series.values[k] is not None]

    def count(self, series: _Indexed, step: int, window_s: float) -> int:
        """How many samples of series the range ending at step holds (len(points), without building them)."""
        low, high = self._window(series, step, window_s)
        return series.count_before[high + 1] - series.count_before[low] if high >= low else 0

    def _extrapolated_at(self, series: _Indexed, step: int, window_s: float, is_rate: bool) -> float | None:
        """rate(series[window]) (increase when not is_rate) at step: None with fewer than two samples."""
        return self._extrapolations(series, window_s, is_rate, step, step + 1)[0]

    def _extrapolations(self, series: _Indexed, window_s: float, is_rate: bool, start: int,
                        stop: int) -> list[float | None]:
        """_extrapolated_at for steps start .. stop - 1, in one loop: the scenarios' hottest path."""
        out: list[float | None] = []
        count_before, values, step_ms = series.count_before, series.values, self.step_ms
        newest, window_ms = len(values) - 1, round(window_s * 1000)
        for step in range(start, stop):
            range_start_ms = step * step_ms - window_ms  # oldest_step, inline
            oldest = range_start_ms // step_ms + 1 if self.left_open else -(-range_start_ms // step_ms)
            low, high = max(0, oldest), min(step, newest)
            count = count_before[high + 1] - count_before[low] if high >= low else 0
            if count < 2:
                out.append(None)
            elif not series.monotonic:
                out.append(extrapolated_rate(self.points(series, step, window_s), step * step_ms, window_s,
                                             self.generation, is_rate))
            else:
                first, last = series.sampled_at[count_before[low]], series.sampled_at[count_before[high + 1] - 1]
                out.append(extrapolate(first * step_ms, values[first], last * step_ms, values[last], count, 0.0,
                                       step * step_ms, window_s, self.generation, is_rate))
        return out

    def _extrapolated(self, series: _Indexed, window_s: float, is_rate: bool) -> Column[float | None]:
        # The column's fill holds the series, so the id of its samples cannot be reused while the key exists.
        key = (id(series.values), window_s, is_rate, self.generation, self.step_ms)
        columns = self._shared.columns
        if key not in columns:
            columns[key] = Column(lambda start, stop: self._extrapolations(series, window_s, is_rate, start, stop),
                                  len(series.values))
        return columns[key]

    def _summed(self, selector: Selector, window_s: float, is_rate: bool) -> Column[float | None]:
        """sum(rate(selector[window])) (increase when not is_rate) at every step, series in label order."""
        key = (selector, window_s, is_rate)
        if key not in self._columns:
            parts = [self._extrapolated(series, window_s, is_rate) for series in self.select(selector)]
            # the same parts in the same order (ids held alive by the shared columns) make the same sum
            shared = ("sum", window_s, is_rate, self.generation, *map(id, parts))
            if shared in self._shared.columns:
                self._columns[key] = self._shared.columns[shared]
                return self._columns[key]

            def fill(start: int, stop: int) -> list[float | None]:
                if start < 0:
                    return [self.sum([v for part in parts if (v := part.at(step)) is not None])
                            for step in range(start, stop)]
                columns = [part.upto(stop - 1) for part in parts]
                if len(columns) == 1:  # one series: Sim.sum of one value, without a call a step
                    only = columns[0]
                    if self.generation < 3:
                        return only[start:stop]
                    return [None if only[step] is None else only[step] + 0.0 for step in range(start, stop)]
                return [self.sum([c[step] for c in columns if c[step] is not None]) for step in range(start, stop)]
            self._columns[key] = self._shared.columns[shared] = Column(fill, self.world.steps)
        return self._columns[key]

    def sum_rate_column(self, selector: Selector, window_s: float) -> Column[float | None]:
        """sum(rate(selector[window])) at every step: None where no series has a rate (an empty vector)."""
        return self._summed(selector, window_s, True)

    def sum_increase_column(self, selector: Selector, window_s: float) -> Column[float | None]:
        """sum(increase(selector[window])) at every step: extrapolatedRate without the division by the range."""
        return self._summed(selector, window_s, False)

    def rate(self, selector: Selector, step: int, window_s: float) -> list[tuple[dict[str, str], float]]:
        out = []
        for series in self.select(selector):
            value = self._extrapolated(series, window_s, True).at(step)
            if value is not None:
                out.append((series.labels, value))
        return out

    def sum(self, values) -> float | None:
        """sum() over values in series order: None for no values. 3.x's aggregation compensates
        rounding (Kahan-Neumaier, as sum_over_time always did); 2.x adds plainly."""
        values = list(values)
        if not values:
            return None
        if len(values) == 1:  # the common case, without the loop: kahan_sum([v]) is v + 0.0 (test_simulator_columns)
            return values[0] + 0.0 if self.generation >= 3 else values[0]
        return kahan_sum(values) if self.generation >= 3 else plain_sum(values)

    def sum_increase(self, selector: Selector, step: int, window_s: float) -> float | None:
        """sum(increase(selector[window])): extrapolatedRate without the division by the range."""
        return self.sum_increase_column(selector, window_s).at(step)

    def sum_rate(self, selector: Selector, step: int, window_s: float) -> float | None:
        """sum(rate(selector[window])): None when no series has a rate (an empty vector)."""
        return self.sum_rate_column(selector, window_s).at(step)

    def sum_rate_by(self, selector: Selector, step: int, window_s: float,
                    by: tuple[str, ...]) -> dict[tuple[str, ...], float]:
        """sum by (labels) (rate(selector[window])), keyed by the labels' values (missing: "")."""
        groups: dict[tuple[str, ...], list[float]] = {}
        for labels, value in self.rate(selector, step, window_s):
            groups.setdefault(tuple(labels.get(label, "") for label in by), []).append(value)
        return {key: self.sum(values) for key, values in groups.items()}

    def sum_rate_by_le(self, selector: Selector, step: int, window_s: float) -> list[tuple[float, float]]:
        return [(float(le), v) for (le,), v in self.sum_rate_by(selector, step, window_s, ("le",)).items()]

    def changes(self, selector: Selector, step: int, window_s: float) -> list[tuple[dict[str, str], float]]:
        """changes(selector[window]): how often each series' value changed between its samples in the window."""
        out = []
        for series in self.select(selector):
            values = [p.value for p in self.points(series, step, window_s)]
            if values:
                out.append((series.labels, float(sum(1 for a, b in itertools.pairwise(values) if a != b))))
        return out

    def predict_linear(self, selector: Selector, step: int, window_s: float, ahead_s: float) -> list[float]:
        out = []
        for series in self.select(selector):
            points = self.points(series, step, window_s)
            if len(points) >= 2:
                slope, intercept = linear_regression(points, self.t_ms(step))
                out.append(slope * ahead_s + intercept)
        return out


def plain_sum(values) -> float | None:
    total = None
    for value in values:
        total = value if total is None else total + value
    return total


def kahan_inc(value: float, total: float, compensation: float) -> tuple[float, float]:
    """One step of compensated (Kahan-Neumaier) summation, as Prometheus' kahanSumInc."""
    t = total + value
    if math.isinf(t):
        return t, 0.0
    if abs(total) >= abs(value):
        return t, compensation + ((total - t) + value)
    return t, compensation + ((value - t) + total)


def kahan_sum(values) -> float:
    """sum_over_time's compensated summation (both generations; sum() in 3.x)."""
    total, compensation = 0.0, 0.0
    for value in values:
        total, compensation = kahan_inc(value, total, compensation)
    return kahan_total(total, compensation)


def kahan_total(total: float, compensation: float) -> float:
    """The compensated sum of a running (total, compensation) pair, as kahan_sum ends."""
    return total if math.isinf(total) else total + compensation


def extrapolated_rate(points: list[Point], t_ms: int, window_s: float, generation: int,
                      is_rate: bool = True) -> float | None:
    """promql/functions.go extrapolatedRate for a counter (rate, or increase when not is_rate)."""
    if len(points) < 2:
        return None
    correction, last = 0.0, 0.0
    for point in points:
        if point.value < last:
            correction += last
        last = point.value
    return rate_from_ends(points[0], points[-1], len(points), correction, t_ms, window_s, generation, is_rate)


def rate_from_ends(first: Point, last: Point, count: int, correction: float, t_ms: int, window_s: float,
                   generation: int, is_rate: bool = True) -> float:
    """The rest of extrapolatedRate, from the range's first and last samples."""
    return extrapolate(first.t_ms, first.value, last.t_ms, last.value, count, correction, t_ms, window_s,
                       generation, is_rate)


def extrapolate(first_ms: int, first_value: float, last_ms: int, last_value: float, count: int, correction: float,
                t_ms: int, window_s: float, generation: int, is_rate: bool = True) -> float:
    """rate_from_ends on plain numbers: the same float operations in the same order as the generation's."""
    range_start = t_ms - round(window_s * 1000)
    result = last_value - first_value + correction
    duration_to_start = (first_ms - range_start) / 1000
    duration_to_end = (t_ms - last_ms) / 1000
    sampled = (last_ms - first_ms) / 1000
    average = sampled / (count - 1)
    threshold = average * 1.1
    extrapolate_to = sampled
    if generation >= 3:
        # 3.x: cap at half an interval first, then at the counter's zero point.
        if duration_to_start >= threshold:
            duration_to_start = average / 2
        if result > 0 and first_value >= 0:
            duration_to_start = min(duration_to_start, sampled * (first_value / result))
        extrapolate_to += duration_to_start
    else:
        if result > 0 and first_value >= 0:
            duration_to_start = min(duration_to_start, sampled * (first_value / result))
        extrapolate_to += duration_to_start if duration_to_start < threshold else average / 2
    extrapolate_to += duration_to_end if duration_to_end < threshold else average / 2
    factor = extrapolate_to / sampled
    if is_rate:
        factor /= window_s
    return result * factor


def bucket_quantile(q: float, buckets: list[tuple[float, float]]) -> float:
    """promql/quantile.go bucketQuantile for (upper bound, cumulative count) pairs."""
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    buckets = sorted(buckets)
    if not buckets or not math.isinf(buckets[-1][0]):
        return math.nan
    if len(buckets) < 2:
        return math.nan
    observations = buckets[-1][1]
    if observations == 0:
        return math.nan
    rank = q * observations
    b = 0  # sort.Search over all but the +Inf bucket
    while b < len(buckets) - 1 and buckets[b][1] < rank:
        b += 1
    if b == len(buckets) - 1:
        return buckets[-2][0]
    if b == 0 and buckets[0][0] <= 0:
        return buckets[0][0]
    start, end, count = 0.0, buckets[b][0], buckets[b][1]
    if b > 0:
        start = buckets[b - 1][0]
        count -= buckets[b - 1][1]
        rank -= buckets[b - 1][1]
    return start + (end - start) * (rank / count)


def linear_regression(points: list[Point], intercept_ms: int) -> tuple[float, float]:
    """promql/functions.go linearRegression: compensated sums in both generations (since 2.32)."""
    if all(p.value == points[0].value for p in points):
        return (math.nan, math.nan) if math.isinf(points[0].value) else (0.0, points[0].value)
    n = 0.0
    sums = {"x": (0.0, 0.0), "y": (0.0, 0.0), "xy": (0.0, 0.0), "x2": (0.0, 0.0)}
    for point in points:
        x = (point.t_ms - intercept_ms) / 1e3
        n += 1.0
        for name, term in (("x", x), ("y", point.value), ("xy", x * point.value), ("x2", x * x)):
            sums[name] = kahan_inc(term, *sums[name])
    sum_x, sum_y, sum_xy, sum_x2 = (total + compensation for total, compensation in sums.values())
    cov_xy = sum_xy - sum_x * sum_y / n
    var_x = sum_x2 - sum_x * sum_x / n
    slope = cov_xy / var_x
    return slope, sum_y / n - slope * sum_x / n


def divide(a: float, b: float) -> float:
    """IEEE division, as PromQL does it (x/0 is ±Inf or NaN, never an error)."""
    if b == 0:
        return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a)
    return a / b
