"""Metric types as a journey declares them, for the lint run inside ``obsgen build``.

The spec says what each selector is: requests and errors are counters,
latency and journey time are histograms, dependency health and saturation
are gauges, business metrics carry their own ``type``.  Reading that from the
resolved model (not from names, not from the YAML again) lets the lint judge
``rate()`` and bare series by what the team declared.  A new kind of signal in
the model belongs here too, or the lint only notes that it cannot tell.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from obsgen.lint.metric_types import COUNTER, GAUGE, HISTOGRAM, MetricTypes
from obsgen.model import Journey

_BUSINESS_TYPES = {"counter": COUNTER, "histogram": HISTOGRAM, "gauge": GAUGE}


def journey_types(journeys: Iterable[Journey]) -> MetricTypes:
    """Every family the journeys declare; one declared as two types is left unknown."""
    families: dict[str, str] = {}
    conflicting: set[str] = set()
    for journey in journeys:
        for name, kind in _declarations(journey):
            if families.setdefault(name, kind) != kind:
                conflicting.add(name)
    known = {name: kind for name, kind in sorted(families.items()) if name not in conflicting}
    return MetricTypes(known, "the spec")


def _declarations(journey: Journey) -> Iterator[tuple[str, str]]:
    for stage in journey.stages:
        yield stage.requests.metric, COUNTER
        yield stage.errors.metric, COUNTER
        if stage.error_rate_alert is not None:
            yield stage.error_rate_alert.errors.metric, COUNTER
        if stage.latency is not None:
            yield stage.latency.metric, HISTOGRAM
        if stage.failures_alert is not None:
            yield stage.failures_alert.failures.metric, COUNTER
    if journey.journey_time is not None:
        yield journey.journey_time.metric, HISTOGRAM
    for slo in journey.slos:
        if slo.timeslice is not None:
            yield slo.timeslice.selector.metric, GAUGE
    for dep in journey.dependencies:
        # A heartbeat is read with changes(), which suits a counter and a timestamp gauge alike.
        if dep.health.heartbeat is None:
            yield dep.health.selector.metric, GAUGE
        for sat in dep.saturations:
            yield sat.selector.metric, GAUGE
            if sat.denominator is not None:
                yield sat.denominator.metric, GAUGE
    for metric in journey.business:
        yield metric.selector.metric, _BUSINESS_TYPES[metric.type]
