"""Every raw selector the journey model reads, named by where it comes from.

A stage's error selector differs from its request selector only in matchers that pick failures
(``code=~"5.."``, ``state="FAILURE"``): its series appear with the first failure, so "matches no
series" is normal for it on a healthy system. The catalog records those failure-only matchers,
so verify can check the rest of the selector and report the error series as conditional.
"""

from __future__ import annotations

from dataclasses import dataclass

from obsgen.model import Histogram, Journey
from obsgen.promql import Matcher, Selector

FAILURE_ONLY_METRICS = frozenset({"ALERTS", "ALERTS_FOR_STATE"})  # series exist only while alerts are active
HISTOGRAM_LABEL = "le"


@dataclass(frozen=True)
class ModelSelector:
    origin: str  # "stage checkout errors", "dependency database health", ...
    selector: Selector
    failure_only: tuple[Matcher, ...] = ()  # matchers that select failures

    @property
    def base(self) -> Selector:
        """The selector without its failure-only matchers: what must exist on a healthy system."""
        return Selector(self.selector.metric, tuple(m for m in self.selector.matchers if m not in self.failure_only))


def _histogram(origin: str, histogram: Histogram) -> list[ModelSelector]:
    # No _sum: no generated rule or panel reads it.
    return [ModelSelector(f"{origin} histogram", s) for s in (histogram.bucket, histogram.count)]


def _errors(origin: str, errors: Selector, requests: Selector) -> ModelSelector:
    healthy = set(requests.matchers)
    return ModelSelector(origin, errors, tuple(m for m in errors.matchers if m not in healthy))


def model_selectors(journey: Journey) -> list[ModelSelector]:
    found: list[ModelSelector] = []
    for stage in journey.stages:
        origin = f"stage {stage.name}"
        found.append(ModelSelector(f"{origin} requests", stage.requests))
        found.append(_errors(f"{origin} errors", stage.errors, stage.requests))
        if stage.error_rate_alert is not None:
            found.append(_errors(f"{origin} {stage.error_rate_alert.name} errors",
                                 stage.error_rate_alert.errors, stage.requests))
        if stage.latency is not None:
            found += _histogram(f"{origin} latency", stage.latency)
        if stage.failures_alert is not None:
            found.append(_errors(f"{origin} {stage.failures_alert.name} failures",
                                 stage.failures_alert.failures, stage.requests))
    for slo in journey.slos:
        if slo.timeslice is not None:
            found.append(ModelSelector(f"SLO {slo.name} {slo.timeslice.kind}", slo.timeslice.selector))
    if journey.journey_time is not None:
        found += _histogram("journey time", journey.journey_time)
    for dep in journey.dependencies:
        found.append(ModelSelector(f"dependency {dep.name} health", dep.health.selector))
        for sat in dep.saturations:
            found.append(ModelSelector(f"dependency {dep.name} {sat.title}", sat.selector))
            if sat.denominator is not None:
                found.append(ModelSelector(f"dependency {dep.name} {sat.title} denominator", sat.denominator))
    for metric in journey.business:
        origin = f"business metric {metric.name}"
        if metric.type == "histogram":
            found += _histogram(origin, Histogram(metric.selector.metric, metric.selector.matchers))
        else:
            found.append(ModelSelector(origin, metric.selector))
    return _unique(found)


def _unique(found: list[ModelSelector]) -> list[ModelSelector]:
    """One entry per selector; the first origin wins, failure-only matchers are kept if any had them."""
    by_selector: dict[Selector, ModelSelector] = {}
    for entry in found:
        known = by_selector.get(entry.selector)
        if known is None or (not known.failure_only and entry.failure_only):
            by_selector[entry.selector] = entry if known is None else ModelSelector(
                known.origin, known.selector, entry.failure_only)
    return list(by_selector.values())


def find(catalog: list[ModelSelector], selector: Selector) -> ModelSelector | None:
    """The model selector a query's selector reads: same metric and matchers, plus at most a
    histogram bucket bound (``le``), which the SLI and alert builders add."""
    wanted = set(selector.matchers)
    extra_le = {m for m in wanted if m.label == HISTOGRAM_LABEL}
    for entry in catalog:
        if entry.selector.metric != selector.metric:
            continue
        own = set(entry.selector.matchers)
        if wanted == own or (wanted - extra_le == own and extra_le):
            return entry
    return None


def is_failure_only(catalog: list[ModelSelector], selector: Selector) -> bool:
    if selector.metric in FAILURE_ONLY_METRICS:
        return True
    entry = find(catalog, selector)
    return entry is not None and bool(entry.failure_only)
