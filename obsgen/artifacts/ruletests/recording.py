"""promql_expr_test cases for every recording rule, on known inputs.

Each stage serves 1000 requests a minute of which 10 fail, so an availability SLI is
10 / 1000 = 0.01. Latency histograms get 10, 20, 30, ... events in successive buckets (and 10
beyond the last), so a latency SLI or quantile that read the wrong bucket would be visibly off.
The expected values come from the reference (reference.py), computed with the same float
operations Prometheus uses, because promtool compares them exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from obsgen.artifacts.prometheus import RecordingRule, dashboard_series as dash, period, rule_groups, slo_meta as meta
from obsgen.artifacts.prometheus.sli import SLI_ERROR, SLI_TIMESLICE
from obsgen.artifacts.ruletests import calendar_period
from obsgen.artifacts.ruletests.native import recording_reads_native
from obsgen.artifacts.ruletests.promsim import bucket_quantile, divide
from obsgen.artifacts.ruletests.reference import Reference, UnknownRule
from obsgen.artifacts.ruletests.world import Phase, Traffic, World, WorldBuilder, spread
from obsgen.model import Journey, Slo
from obsgen.promql import Selector, format_number, parse_duration, series

KNOWN_TRAFFIC = Traffic(total=1000, errors=10)
KNOWN_BAD_SLICES = 0.25  # every fourth slice of a time-slice SLO is bad
EVAL_STEP = 10  # minutes: every 5m window is full, longer windows are extrapolated as Prometheus does
BUSINESS_PER_MINUTE = (60, 120)  # two series per business metric, so a `by` grouping shows


@dataclass(frozen=True)
class ExpectedSample:
    expr: str
    labels: str  # the series as promtool prints it: name{label="value",...}
    value: float


def known_world(journey: Journey, steps: int) -> World:
    builder = WorldBuilder(journey, steps)
    for stage in journey.stages:
        builder.stage_requests(stage, [Phase(0, KNOWN_TRAFFIC)])
        if stage.latency:
            builder.stage_latency(stage, [Phase(0, Traffic(0, latencies=spread(stage.latency)))])
    if journey.journey_time:
        builder.journey_time([Phase(0, Traffic(0, latencies=spread(journey.journey_time)))])
    for slo in journey.slos:
        if slo.timeslice is not None:
            builder.timeslice(slo, [Phase(0, KNOWN_BAD_SLICES)])
    for stage in journey.stages:
        if stage.failures_alert and stage.failures_alert.failures != stage.errors:
            builder.failures(stage, [Phase(0, 1)])
    for metric in journey.business:
        if metric.type == "counter":
            for index, per_minute in enumerate(BUSINESS_PER_MINUTE):
                extra = {label: f"{label}-{index + 1}" for label in metric.by}
                builder.counter(metric.selector, extra, per_minute)
                if not metric.by:
                    break
    return builder.build()


def series_text(name: str, labels: dict[str, str]) -> str:
    return series(name, labels) if labels else Selector(name).promql()


class RecordingExpectations:
    def __init__(self, journey: Journey, step: int = EVAL_STEP):
        self.journey = journey
        self.step = step
        self.world = known_world(journey, step + 1)
        self.reference = Reference(journey, self.world, strict=False)

    def rules(self) -> list[RecordingRule]:
        return [r for g in rule_groups(self.journey) for r in g.rules
                if isinstance(r, RecordingRule) and not recording_reads_native(self.journey, r)]

    def samples(self) -> list[ExpectedSample]:
        out = []
        for rule in self.rules():
            out.extend(self._expected(rule))
        return out

    def _slo(self, labels: dict[str, str]) -> Slo:
        return next(s for s in self.journey.slos if s.name == labels["slo"])

    def _expected(self, rule: RecordingRule) -> list[ExpectedSample]:
        labels = dict(rule.labels)
        grouping = self._by_labels(rule)
        out = []
        for extra, value in self._values(rule, labels):
            if value is None:
                continue
            extra = {**self._dimensions(rule, labels), **extra}
            if math.isnan(value):
                raise UnknownRule(f"{rule.record}{labels} is NaN on the known inputs; promtool cannot compare NaN")
            selector = {**labels, **{k: extra[k] for k in grouping if k in extra}}
            out.append(ExpectedSample(series_text(rule.record, selector), series_text(rule.record, {**extra, **labels}),
                                      value))
        return out

    # SLO metadata that is one constant series per SLO, whatever the dimensions.
    _CONSTANTS = (meta.OBJECTIVE, meta.ERROR_BUDGET, meta.TIME_PERIOD_DAYS, meta.BURN_RATE_THRESHOLD) + calendar_period.BOUNDS

    def _dimensions(self, rule: RecordingRule, labels: dict[str, str]) -> dict[str, str]:
        """The dimension labels a rule's result keeps (spec.by), as the world's one dimension value."""
        if rule.record in self._CONSTANTS:
            return {}
        if rule.record == SLI_TIMESLICE:
            return dict(self.reference.timeslice_dims(self._slo(labels), self.step))
        return dict(self.reference.dims)

    def _by_labels(self, rule: RecordingRule) -> tuple[str, ...]:
        for metric in self.journey.business:
            if rule.record == dash.business_record_name(metric.selector.metric, metric.by):
                return metric.by
        return ()

    def _values(self, rule: RecordingRule, labels: dict[str, str]) -> list[tuple[dict[str, str], float | None]]:
        ref, step, record = self.reference, self.step, rule.record
        if record == SLI_TIMESLICE:
            return [({}, ref.timeslice_bad(self._slo(labels), step))]
        if record in calendar_period.BOUNDS:
            return [({}, calendar_period.bound(record, self._slo(labels), ref.sim, step))]
        if record in (period.BAD_EVENTS, period.VALID_EVENTS):
            events = ref.events(self._slo(labels), step)
            return [({}, None if events is None else events[record == period.VALID_EVENTS])]
        if record.startswith(SLI_ERROR.split("{")[0]):
            window = parse_duration(record[len(SLI_ERROR.split("{")[0]):])
            return [({}, ref.sli(self._slo(labels), window, step))]
        if record in (meta.OBJECTIVE, meta.ERROR_BUDGET, meta.TIME_PERIOD_DAYS, meta.CURRENT_BURN_RATE,
                      meta.PERIOD_BURN_RATE, meta.BUDGET_REMAINING, meta.BURN_RATE_THRESHOLD):
            return [({}, self._meta(record, labels))]
        if "stage" in labels:
            return [({}, self._stage(record, labels["stage"]))]
        for quantile in dash.QUANTILES:
            if record == dash.quantile_name(dash.JOURNEY_TIME, quantile):
                return [({}, self._quantile(self.journey.journey_time, quantile))]
        for metric in self.journey.business:
            if record == dash.business_record_name(metric.selector.metric, metric.by):
                return self._business(metric)
        raise UnknownRule(f"no reference semantics for recording rule {record}{labels}")

    def _meta(self, record: str, labels: dict[str, str]) -> float | None:
        slo = self._slo(labels)
        budget = float(format_number(slo.error_budget))
        sli = self.reference.sli
        if record == meta.OBJECTIVE:
            return float(format_number(slo.objective))
        if record == meta.ERROR_BUDGET:
            return budget
        if record == meta.TIME_PERIOD_DAYS:
            return float(format_number(slo.window / 86400))
        if record == meta.BURN_RATE_THRESHOLD:
            return float(labels["factor"])
        if record == meta.CURRENT_BURN_RATE:
            current = sli(slo, 300.0, self.step)
            return None if current is None else divide(current, budget)
        period = sli(slo, slo.window, self.step)
        if period is None:
            return None
        burn = divide(period, budget)
        return burn if record == meta.PERIOD_BURN_RATE else 1 - burn

    def _stage(self, record: str, name: str) -> float | None:
        stage = self.journey.stage(name)
        sim, step = self.reference.sim, self.step
        requests = sim.sum_rate(stage.requests, step, dash.WINDOW)
        errors = sim.sum_rate(stage.errors, step, dash.WINDOW)
        if record == dash.STAGE_REQUESTS:
            return requests
        if record == dash.STAGE_ERRORS:
            return 0.0 if errors is None else errors
        if record == dash.STAGE_ERROR_RATIO:
            if requests is None or not requests > 0:
                return None
            return divide(0.0 if errors is None else errors, requests)
        for quantile in dash.QUANTILES:
            if record == dash.quantile_name(dash.STAGE_LATENCY, quantile):
                return self._quantile(stage.latency, quantile)
        raise UnknownRule(f"no reference semantics for recording rule {record}{{stage={name!r}}}")

    def _quantile(self, histogram, quantile: float) -> float | None:
        buckets = self.reference.sim.sum_rate_by_le(histogram.bucket, self.step, dash.WINDOW)
        if not buckets:
            return None
        value = bucket_quantile(quantile, buckets)
        return value if histogram.scale == 1 else divide(value, histogram.scale)

    def _business(self, metric) -> list[tuple[dict[str, str], float | None]]:
        groups = self.reference.sim.sum_rate_by(metric.selector, self.step, dash.WINDOW, metric.by)
        return [(dict(zip(metric.by, key)), value) for key, value in sorted(groups.items())]
