"""Reference semantics of every generated rule, computed from the model over a synthetic world.

Each recording rule and alert is re-derived here from what the model says it means (an SLI is
bad events over valid events of the SLO's stages, a page fires when any page window pair burns
faster than its factor for ``for``), never from the PromQL text. promtool then checks that the
generated PromQL agrees, minute by minute.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from obsgen.artifacts.prometheus import AlertRule, budget
from obsgen.artifacts.prometheus.sli import forecast_windows, sli_series, timeslice_lookback
from obsgen.artifacts.ruletests import calendar_period
from obsgen.artifacts.ruletests.column import Column
from obsgen.artifacts.ruletests.promsim import Sim, bucket_quantile, divide, kahan_inc, kahan_sum, kahan_total
from obsgen.artifacts.ruletests.world import World, dimension_labels
from obsgen.model import HEALTH_LOOKBACK, BurnRate, Health, Journey, Saturation, Slo, SloType
from obsgen.promql import Selector, format_number, parse_duration

SLI_WINDOW_DASHBOARD = 300.0
# Comparisons closer than this (relative) to their threshold make a brittle test; scenarios avoid them.
AMBIGUITY = 1e-9


class UnknownRule(LookupError):
    """A generated rule this reference has no semantics for (extend reference.py with it)."""


class AmbiguousScenario(ValueError):
    """A value lands on a threshold, where float rounding rather than the rule decides."""


@dataclass(frozen=True)
class AlertSample:
    labels: tuple[tuple[str, str], ...]  # the expression's result labels, without __name__
    value: float


class Reference:
    def __init__(self, journey: Journey, world: World, *, strict: bool = True):
        self.journey = journey
        self.world = world
        self.sim = Sim(world)
        self.strict = strict
        # Event-counted SLIs as columns (column.py); recorded and time-slice ones step by step, as the
        # strict comparisons of the slices must be made at exactly the steps the scenarios ask about.
        self._columns: dict[tuple, Column] = {}
        self._sli: dict[tuple[str, float, int], float | None] = {}
        self._slices: dict[tuple[str, int], float] = {}
        self._slice_sums: dict[str, list[tuple[float, float]]] = {}
        self._slos = {slo.name: slo for slo in reversed(journey.slos)}  # the first of a name, as next() found
        self._pairs: dict[tuple[str, str], list[tuple[BurnRate, float, Callable, Callable]]] = {}
        self._budgets: dict[str, float] = {}
        self._forecasts: dict[str, tuple[float, float, tuple[float, ...]]] = {}
        self._stages = {stage.name: stage for stage in reversed(journey.stages)}  # the first of a name wins
        self._absent_selectors: dict[int, tuple[AlertRule, Selector]] = {}
        self._handlers = {
            "burn-rate-page": self._burn_rate, "burn-rate-ticket": self._burn_rate,
            "error-rate": self._error_rate, "latency": self._latency,
            "dependency-down": self._down, "saturation": self._saturation,
            "saturation-predicted": self._predicted, "absent": self._absent, "failures": self._failures,
            budget.EXHAUSTED: self._budget_exhausted, budget.FORECAST: self._budget_forecast,
        }
        # Labels every per-dimension expression keeps (the world's one dimension value); () without spec.by.
        self.dims = tuple(sorted(dimension_labels(journey).items()))

    # -- comparisons ------------------------------------------------------------------------------------
    def greater(self, value: float | None, limit: float, exact: bool = False) -> bool:
        """value > limit; ``exact`` when value is computed exactly as Prometheus does (a count of bad
        slices over a count of slices), so that landing on the limit is not a matter of rounding."""
        if value is None or math.isnan(value):
            return False
        if self.strict and not exact and math.isfinite(value) and abs(value - limit) <= AMBIGUITY * max(abs(limit), 1e-12):
            raise AmbiguousScenario(f"value {value!r} is on the threshold {limit!r}")
        return value > limit

    # -- SLIs -------------------------------------------------------------------------------------------
    def _column(self, key: tuple, make: Callable[..., Column], *args) -> Column:
        column = self._columns.get(key)
        if column is None:
            column = self._columns[key] = make(*args)
        return column

    @staticmethod
    def _terms_at(columns: list[Column], step: int) -> float | None:
        # (sum(rate(a[w])) or vector(0)) + (sum(rate(b[w])) or vector(0)) + ..., left to right
        total = None
        for column in columns:
            term = column.at(step)
            term = 0.0 if term is None else term
            total = term if total is None else total + term
        return total

    def _rates(self, selectors: list[Selector], window: float) -> list[Column]:
        return [self.sim.sum_rate_column(selector, window) for selector in selectors]

    def _inputs(self, slo: Slo) -> tuple[list[Selector], list[Selector]]:
        """An event-counted SLI's (bad or good, valid) selectors: errors and requests, or the
        histograms' buckets under the threshold and their counts."""
        if slo.type == SloType.AVAILABILITY:
            stages = [self._stages[name] for name in slo.stages]
            return [s.errors for s in stages], [s.requests for s in stages]
        histograms = ([self.journey.journey_time] if slo.type == SloType.JOURNEY_TIME
                      else [self._stages[name].latency for name in slo.stages])
        return [h.under(slo.threshold) for h in histograms], [h.count for h in histograms]

    def sli(self, slo: Slo, window: float, step: int) -> float | None:
        """slo:sli_error:ratio_rate<window>: the share of bad events among valid ones."""
        if slo.timeslice is None and slo.query is None:
            return self._sli_column(slo, window).at(step)
        key = (slo.name, window, step)
        if key not in self._sli:
            self._sli[key] = self._period_sli(slo, step) if window == slo.window else self._window_sli(slo, window, step)
        return self._sli[key]

    def _sli_column(self, slo: Slo, window: float) -> Column:
        """An event-counted SLI's column: its SLO window's ratio, or a shorter window's."""
        make = self._period_column if window == slo.window else self._window_column
        return self._column(("sli", slo.name, window), make, slo, window)

    def _window_column(self, slo: Slo, window: float) -> Column:
        """An event-counted SLI over a window at every step: bad (or 1 - good) over valid events."""
        selected, valid = self._inputs(slo)
        selected_rates, valid_rates = self._rates(selected, window), self._rates(valid, window)
        terms, availability = self._terms_at, slo.type == SloType.AVAILABILITY

        def ratio(bad_or_good: float, valid_rate: float) -> float | None:
            if not valid_rate > 0:
                return None
            value = divide(bad_or_good, valid_rate)
            return value if availability else 1 - value

        def fill(start: int, stop: int) -> list[float | None]:
            if start < 0:  # before the first step: nothing is kept, one step at a time
                return [ratio(terms(selected_rates, step), terms(valid_rates, step)) for step in range(start, stop)]
            return list(map(ratio, _sums(selected_rates, start, stop), _sums(valid_rates, start, stop)))
        return Column(fill, self.world.steps)

    def _window_sli(self, slo: Slo, window: float, step: int) -> float | None:
        """The ratio of an SLI the world does not count events for: recorded (raw PromQL) or time slices."""
        if slo.query is not None:
            # raw PromQL is not simulated: its ratio is an input series of the alert-only tests (recorded_sli.py)
            values = [v for _, v in self.sim.instant(sli_series(self.journey, slo, window), step)]
            return values[0] if values else None
        return self._timeslice_ratio(slo, window, step)

    def timeslice_bad(self, slo: Slo, step: int) -> float:
        """slo:sli_error:timeslice at step: 1 when the slice is bad or has no data, else 0."""
        key = (slo.name, step)
        if key not in self._slices:
            self._slices[key] = self._slice_bad(slo, step)
        return self._slices[key]

    def _slice_bad(self, slo: Slo, step: int) -> float:
        ts = slo.timeslice
        values = [v for _, v in self.sim.instant(ts.selector, step)]
        if not values:
            return 1.0
        if ts.kind == SloType.FRESHNESS:
            measured = self.sim.t_ms(step) / 1000 - max(values)
        else:
            measured = max(values) if ts.aggregation == "max" else self.sim.sum(values)
        return 1.0 if self.greater(measured, ts.threshold) else 0.0

    def timeslice_dims(self, slo: Slo, step: int) -> tuple[tuple[str, str], ...]:
        """A time-slice indicator keeps the dimensions while its gauge was seen within the lookback
        (timeslice_lookback); before that only the unlabelled `vector(1)` answers."""
        if slo.timeslice is None:
            return self.dims
        return self.dims if self.seen_within(slo.timeslice.selector, step, timeslice_lookback(slo)) else ()

    def seen_within(self, selector: Selector, step: int, window: float) -> bool:
        """present_over_time(selector[window]) is not empty: a sample (not a staleness marker) in the range."""
        return any(self.sim.count(series, step, window) for series in self.sim.select(selector))

    def deepest_within(self, selector: Selector, step: int, window: float) -> float | None:
        """max(max_over_time(selector[window])) at step; None when the range holds no sample."""
        values = [p.value for series in self.sim.select(selector) for p in self.sim.points(series, step, window)]
        return max(values, default=None)

    def evaluations_in(self, step: int, window: float) -> range:
        """The evaluation steps a range selector over recorded series reads at step: those in the
        target generation's range, [t - window, t] in 2.x, (t - window, t] in 3.x (Sim.oldest_step)."""
        return range(max(self.sim.oldest_step(step, window), 0), step + 1)

    def _timeslice_ratio(self, slo: Slo, window: float, step: int) -> float:
        # sum_over_time / count_over_time of the indicator recorded at every evaluation in the range
        steps = self.evaluations_in(step, window)
        if steps.start == 0 and step >= 0:
            # every slice since the first: the running sum is the same left fold, one addition a step
            prefix = self._slice_sums.setdefault(slo.name, [])
            while len(prefix) <= step:
                before = prefix[-1] if prefix else (0.0, 0.0)
                prefix.append(kahan_inc(self.timeslice_bad(slo, len(prefix)), *before))
            return kahan_total(*prefix[step]) / float(len(steps))
        slices = [self.timeslice_bad(slo, k) for k in steps]
        return kahan_sum(slices) / float(len(slices))

    def events(self, slo: Slo, step: int) -> tuple[float, float] | None:
        """(slo:sli_bad_events:rate5m, slo:sli_valid_events:rate5m) at step; None for an SLI without events
        (time slices) or whose queries are not simulated (raw PromQL)."""
        if slo.timeslice is not None or slo.query is not None:
            return None
        return self._column(("events", slo.name), self._events_column, slo).at(step)

    def _events_column(self, slo: Slo) -> Column:
        selected, valid = self._inputs(slo)
        window = SLI_WINDOW_DASHBOARD
        selected_rates, valid_rates = self._rates(selected, window), self._rates(valid, window)
        terms, availability = self._terms_at, slo.type == SloType.AVAILABILITY

        def pair(selected_rate: float, valid_rate: float) -> tuple[float, float]:
            if availability:
                return selected_rate, valid_rate
            return valid_rate - selected_rate, valid_rate  # bad = valid - good, as the rule subtracts

        def fill(start: int, stop: int) -> list[tuple[float, float]]:
            if start < 0:
                return [pair(terms(selected_rates, step), terms(valid_rates, step)) for step in range(start, stop)]
            return list(map(pair, _sums(selected_rates, start, stop), _sums(valid_rates, start, stop)))
        return Column(fill, self.world.steps)

    def _period_column(self, slo: Slo, window: float) -> Column:
        """The SLO window's ratio of an event-counted SLI at every step: the sum of the recorded bad event
        rates over the sum of the valid ones, one sample per evaluation (occurrences). Over a window that
        reaches back to the first evaluation, both sums are running sums (the same left folds). A calendar
        SLO's ratio covers the period so far instead (obsgen.artifacts.ruletests.calendar_period)."""
        if slo.calendar:
            def calendar_ratios(start: int, stop: int) -> list[float | None]:
                return [calendar_period.period_sli(self, slo, step) for step in range(start, stop)]
            return Column(calendar_ratios, self.world.steps)
        events = self._column(("events", slo.name), self._events_column, slo)
        running: list[tuple[float, float, float, float]] = []

        def at(step: int) -> float | None:
            steps = self.evaluations_in(step, window)
            if steps.start > 0 or step < 0:
                pairs = [events.at(k) for k in steps]
                return ratio_of(kahan_sum([b for b, _ in pairs]), kahan_sum([v for _, v in pairs]))
            pairs = events.upto(step)
            while len(running) <= step:
                bad, valid = pairs[len(running)]
                before = running[-1] if running else (0.0, 0.0, 0.0, 0.0)
                running.append(kahan_inc(bad, *before[:2]) + kahan_inc(valid, *before[2:]))
            sums = running[step]
            return ratio_of(kahan_total(*sums[:2]), kahan_total(*sums[2:]))
        return Column(lambda start, stop: [at(step) for step in range(start, stop)], self.world.steps)

    def _period_sli(self, slo: Slo, step: int) -> float | None:
        """The SLO window's ratio of an SLI without event rates: bad minutes / minutes (timeslices), else
        none (the window ratio of occurrences sums event rates, which raw PromQL and time slices lack)."""
        if slo.budgeting_method == "timeslices":
            return self._timeslice_ratio(slo, slo.window, step)
        return None

    def budget_left(self, slo: Slo, step: int) -> float | None:
        """slo:period_error_budget_remaining:ratio: 1 - the window's ratio / the error budget."""
        period = self.sli(slo, slo.window, step)
        return None if period is None else 1 - divide(period, self._budget(slo))

    # -- alerts -----------------------------------------------------------------------------------------
    def alert_sample(self, alert: AlertRule, step: int) -> AlertSample | None:
        """The single sample the alert's expression returns at step, or None (the alert is inactive)."""
        handler = self._handlers.get(alert.kind)
        if handler is None:
            raise UnknownRule(f"alert {alert.alert} has kind {alert.kind!r}, which the rule tests do not model")
        return handler(alert, step)

    def _slo(self, alert: AlertRule) -> Slo:
        return self._slos[alert.slo]

    def _budget(self, slo: Slo) -> float:
        """The error budget as the rules write it (format_number), read back as promtool does."""
        if slo.name not in self._budgets:
            self._budgets[slo.name] = float(format_number(slo.error_budget))
        return self._budgets[slo.name]

    def _burn_pairs(self, slo: Slo, severity: str) -> list[tuple[BurnRate, float, Callable, Callable]]:
        """The window pairs of one severity, each with its limit on the SLI (factor * error budget) and its
        short and long SLI as functions of the step: found once, as an alert reads them at every step."""
        key = (slo.name, severity)
        if key not in self._pairs:
            budget = self._budget(slo)
            self._pairs[key] = [(burn, float(format_number(burn.factor)) * budget,
                                 self._sli_at(slo, burn.short), self._sli_at(slo, burn.long))
                                for burn in slo.burn_rates if burn.severity == severity]
        return self._pairs[key]

    def _sli_at(self, slo: Slo, window: float) -> Callable[[int], float | None]:
        """sli(slo, window, step) as a function of the step: an event-counted SLI's column lookup itself."""
        if slo.timeslice is None and slo.query is None:
            return self._sli_column(slo, window).at
        return lambda step: self.sli(slo, window, step)

    def _burn_rate(self, alert: AlertRule, step: int) -> AlertSample | None:
        slo = self._slo(alert)
        for burn, limit, short_at, long_at in self._burn_pairs(slo, alert.severity):
            short, long = short_at(step), long_at(step)
            exact = slo.timeslice is not None
            if self.greater(short, limit, exact) and self.greater(long, limit, exact) and self.enough_events(slo, burn, step):
                labels = (("journey", self.journey.name), ("slo", slo.name)) + self.timeslice_dims(slo, step)
                return AlertSample(tuple(sorted(labels)), short)
        return None

    def valid_events(self, slo: Slo, window: float, step: int) -> float | None:
        """The guard's count: sum(increase(valid[window])) per stage (or histogram), a missing one as 0;
        None when a single term has no series (its sum is an empty vector)."""
        if slo.type == SloType.AVAILABILITY:
            selectors = [self.journey.stage(name).requests for name in slo.stages]
        elif slo.type == SloType.JOURNEY_TIME:
            selectors = [self.journey.journey_time.count]
        else:
            selectors = [self.journey.stage(name).latency.count for name in slo.stages]
        terms = [self.sim.sum_increase(s, step, window) for s in selectors]
        if len(terms) == 1:
            return terms[0]
        total = None
        for term in terms:  # (a or vector(0)) + (b or vector(0)), left to right
            term = 0.0 if term is None else term
            total = term if total is None else total + term
        return total

    def enough_events(self, slo: Slo, burn, step: int) -> bool:
        """The low-traffic guard of a page pair: at least min_events valid events in its short window."""
        if not burn.min_events:
            return True
        count = self.valid_events(slo, burn.short, step)
        if count is None:
            return False
        if self.strict and abs(count - burn.min_events) <= AMBIGUITY * burn.min_events:
            raise AmbiguousScenario(f"{count!r} valid events is on the guard's {burn.min_events}")
        return count >= burn.min_events

    def _slo_labels(self, slo: Slo, step: int) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((("journey", self.journey.name), ("slo", slo.name)) + self.timeslice_dims(slo, step)))

    def _budget_exhausted(self, alert: AlertRule, step: int) -> AlertSample | None:
        slo = self._slo(alert)
        left = self.budget_left(slo, step)
        # Time slices: counts of slices, where landing on the limit is exact (see greater).
        if left is None or self.greater(left, 0.0, slo.timeslice is not None):
            return None
        return AlertSample(self._slo_labels(slo, step), left)

    def _budget_forecast(self, alert: AlertRule, step: int) -> AlertSample | None:
        """left * window / (ratio_w / budget) < forecast_within for every forecast window, while budget is left."""
        slo = self._slo(alert)
        left = self.budget_left(slo, step)
        exact = slo.timeslice is not None
        if not self.greater(left, 0.0, exact):
            return None
        budget = self._budget(slo)
        window, within, windows = self._forecast(slo)
        times = []
        for w in windows:
            ratio = self.sli(slo, w, step)
            if ratio is None:
                return None
            times.append(divide(left * window, divide(ratio, budget)))
        # A burn rate of 0 leaves the budget forever (+Inf): never under any limit, and no rounding decides that.
        if not all(math.isfinite(t) and self.greater(within, t, exact) for t in times):
            return None
        return AlertSample(self._slo_labels(slo, step), times[0])

    def _forecast(self, slo: Slo) -> tuple[float, float, tuple[float, ...]]:
        """The SLO window and the forecast's horizon as the rule writes them, and the windows it reads:
        the same at every step, so worked out once."""
        if slo.name not in self._forecasts:
            self._forecasts[slo.name] = (float(format_number(slo.window)),
                                         float(format_number(slo.budget.forecast_within)),
                                         forecast_windows(slo) or (slo.window,))
        return self._forecasts[slo.name]

    def _stage_of(self, alert: AlertRule):
        return self._stages[alert.stages[0]]

    def _error_rate(self, alert: AlertRule, step: int) -> AlertSample | None:
        stage = self._stage_of(alert)
        spec = stage.error_rate_alert
        errors = self.sim.sum_rate(spec.errors, step, spec.window)
        requests = self.sim.sum_rate(stage.requests, step, spec.window)
        if errors is None or requests is None:
            return None
        ratio = divide(errors, requests)
        return AlertSample(self.dims, ratio) if self.greater(ratio, spec.threshold) else None

    def _failures(self, alert: AlertRule, step: int) -> AlertSample | None:
        spec = self._stage_of(alert).failures_alert
        failures = self.sim.sum_increase(spec.failures, step, spec.window)
        if failures == 0:
            return None  # an unchanged counter's increase is exactly 0: no rounding decides a threshold of 0
        return AlertSample(self.dims, failures) if self.greater(failures, spec.threshold) else None

    def _latency(self, alert: AlertRule, step: int) -> AlertSample | None:
        stage = self._stage_of(alert)
        spec = stage.latency_alert
        buckets = self.sim.sum_rate_by_le(stage.latency.bucket, step, spec.window)
        if not buckets:
            return None
        quantile = bucket_quantile(spec.quantile, buckets)
        if stage.latency.scale != 1:  # the rule divides by the scale, as Prometheus does
            quantile = divide(quantile, stage.latency.scale)
        return AlertSample(self.dims, quantile) if self.greater(quantile, spec.threshold) else None

    def _down(self, alert: AlertRule, step: int) -> AlertSample | None:
        health = self.journey.dependency(alert.dependency).health
        if health.heartbeat is not None:
            readings = [v for _, v in self.sim.changes(health.selector, step, health.heartbeat)]
        else:
            readings = [v for _, v in self.sim.instant(health.selector, step)]
        healthiest = max((instance_up(health, v) for v in readings), default=0.0)
        # No reading: down. With dimensions, per dimension value while its series was seen within
        # HEALTH_LOOKBACK, then only the unlabelled `or on () vector(0)` answers.
        seen = bool(readings) or self.seen_within(health.selector, step, HEALTH_LOOKBACK)
        return AlertSample(self.dims if seen else (), healthiest) if healthiest < 1 else None

    def _saturation(self, alert: AlertRule, step: int) -> AlertSample | None:
        sat = self.journey.dependency(alert.dependency).saturation_of(alert.alert)
        value = self.saturation_value(sat, step)
        return AlertSample(self.dims, value) if self.greater(value, sat.threshold) else None

    def saturation_value(self, sat: Saturation, step: int) -> float | None:
        """max(gauge), or sum(numerator) / sum(denominator); None for an empty vector."""
        numerator = [v for _, v in self.sim.instant(sat.selector, step)]
        if sat.denominator is None:
            return max(numerator) if numerator else None
        denominator = [v for _, v in self.sim.instant(sat.denominator, step)]
        if not numerator or not denominator:
            return None
        return divide(self.sim.sum(numerator), self.sim.sum(denominator))

    def _predicted(self, alert: AlertRule, step: int) -> AlertSample | None:
        sat = self.journey.dependency(alert.dependency).saturation_of(alert.alert)
        values = self.sim.predict_linear(sat.selector, step, sat.predict_range, sat.predict_ahead)
        if not values:
            return None
        predicted = max(values)
        return AlertSample(self.dims, predicted) if self.greater(predicted, sat.threshold) else None

    def _absent(self, alert: AlertRule, step: int) -> AlertSample | None:
        if id(alert) not in self._absent_selectors:  # kept with the alert, so that its id is not reused
            self._absent_selectors[id(alert)] = (alert, absent_selector(self.journey, alert))
        selector = self._absent_selectors[id(alert)][1]
        if not self.sim.absent(selector, step):
            return None
        return AlertSample(tuple(sorted(absent_labels(selector).items())), 1.0)


def _sums(columns: list[Column], start: int, stop: int) -> list[float]:
    """Reference._terms_at for steps start .. stop - 1 (start >= 0): the same additions, column by column."""
    if not columns:
        return [None] * (stop - start)
    first = columns[0].upto(stop - 1)
    totals = [0.0 if value is None else value for value in first[start:stop]]
    for column in columns[1:]:
        values = column.upto(stop - 1)
        totals = [total + (0.0 if value is None else value) for total, value in zip(totals, values[start:stop])]
    return totals


def ratio_of(bad: float, valid: float) -> float | None:
    """bad / valid, or None (no sample) unless some events are valid."""
    return divide(bad, valid) if valid > 0 else None


def instance_up(health: Health, reading: float) -> float:
    """What Health.instance_up() makes of one series: a 0/1 gauge as it is, a threshold or a
    heartbeat's changes as 1 (healthy) or 0 (comparisons with bool)."""
    if health.heartbeat is not None:
        return 1.0 if reading > 0 else 0.0
    if health.below is None and health.above is None:
        return reading
    inside = (health.below is None or reading >= health.below) and (health.above is None or reading <= health.above)
    return 1.0 if inside else 0.0


def absent_selector(journey: Journey, alert: AlertRule) -> Selector:
    """The series an absent() alert watches: whichever of the model's SLI inputs its expression names."""
    candidates = []
    for stage in journey.stages:
        candidates.append(stage.requests)
        if stage.latency:
            candidates.append(stage.latency.count)
    if journey.journey_time:
        candidates.append(journey.journey_time.count)
    for selector in candidates:
        if alert.expr == f"absent({selector.promql()})":
            return selector
    raise UnknownRule(f"absent alert {alert.alert} watches none of the model's SLI inputs: {alert.expr}")


def absent_labels(selector: Selector) -> dict[str, str]:
    """absent() keeps the labels its selector fixes with a single equality matcher."""
    equal = [m for m in selector.matchers if m.op == "="]
    counts = {m.label: sum(1 for x in equal if x.label == m.label) for m in equal}
    return {m.label: m.value for m in equal if counts[m.label] == 1}


def hold_seconds(alert: AlertRule) -> float:
    return parse_duration(alert.for_) if alert.for_ and alert.for_ != "0s" else 0.0
