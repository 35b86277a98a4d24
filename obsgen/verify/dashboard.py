"""Does every dashboard query return data, and what does each cost?

Each Prometheus target is sent as Grafana would send it (variables replaced, range or instant)
over the last N minutes. A query that can only have data while something fails (it reads error
series or alerts with no ``or vector(0)`` fallback; decided from the model and the rules, see
``FailureModel``) is "conditional": empty is fine for it, and it is listed apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from obsgen.clients.http import ApiError
from obsgen.clients.prometheus import PrometheusApi
from obsgen.promql import Selector
from obsgen.verify.artifacts import Built
from obsgen.verify.catalog import ModelSelector, is_failure_only, model_selectors
from obsgen.verify.exprs import UnparsableExpr, needs_failure
from obsgen.verify.metrics import matches
from obsgen.verify.panels import PROMETHEUS, PanelTarget, targets
from obsgen.verify.report import PanelCheck
from obsgen.verify.variables import Interpolated, TimeContext, interpolate, variable_values

MAX_POINTS = 500  # about a wide panel's width in pixels, Grafana's default maxDataPoints


def time_context(window: float, scrape_interval: float) -> TimeContext:
    step = max(scrape_interval, window / MAX_POINTS)
    return TimeContext(window=window, step=step, scrape_interval=scrape_interval)


@dataclass(frozen=True)
class PreparedTarget:
    target: PanelTarget
    query: Interpolated


def prepared_targets(built: Built, time: TimeContext) -> list[PreparedTarget]:
    found = []
    for _, dashboard in built.dashboards:
        values = variable_values((dashboard.get("templating") or {}).get("list") or [])
        for target in targets(dashboard):
            query = interpolate(target.expr, values, time) if target.datasource == PROMETHEUS else Interpolated("")
            found.append(PreparedTarget(target, query))
    return found


class FailureModel:
    """Which series exist only under failure: error selectors of the model, alerts, and series
    recorded by rules that themselves only have data under failure."""

    def __init__(self, built: Built, catalog: list[ModelSelector]):
        self._catalog = catalog
        self._recording = {}
        for rule in built.rules:
            if rule.kind == "recording":
                self._recording.setdefault(rule.name, []).append(rule)
        self._cached = lru_cache(maxsize=None)(self._compute)

    def failure_only(self, selector: Selector) -> bool:
        return self._cached(selector)

    def _compute(self, selector: Selector) -> bool:
        rules = self._recording.get(selector.metric)
        if rules is None:
            return is_failure_only(self._catalog, selector)
        candidates = [r for r in rules if _compatible(selector, dict(r.labels))]
        return bool(candidates) and all(needs_failure(r.expr, self.failure_only) for r in candidates)


def _compatible(selector: Selector, rule_labels: dict[str, str]) -> bool:
    """Could a rule with these static labels produce series this selector picks?"""
    return all(matches(m, rule_labels) for m in selector.matchers if m.label in rule_labels)


@dataclass(frozen=True)
class DashboardQueries:
    """A journey's dashboard queries over a window, as Grafana would send them, ready to ask at any end time."""

    prepared: list[PreparedTarget]
    failures: FailureModel
    time: TimeContext

    @classmethod
    def over(cls, built: Built, window: float) -> DashboardQueries:
        time = time_context(window, built.journey.scrape_interval)
        return cls(prepared_targets(built, time), FailureModel(built, model_selectors(built.journey)), time)

    def check(self, api: PrometheusApi, end: float) -> list[PanelCheck]:
        return [_check(api, p, self.failures, end, self.time) for p in self.prepared]


def _check(api: PrometheusApi, prepared: PreparedTarget, failures: FailureModel, end: float,
           time: TimeContext) -> PanelCheck:
    target, query = prepared.target, prepared.query

    def result(status: str, detail: str, series: int = 0, answer=None) -> PanelCheck:
        stats = ((answer.data or {}).get("stats") or {}) if answer else {}
        return PanelCheck(
            panel=target.panel_title, ref_id=target.ref_id, expr=query.expr or target.expr, instant=target.instant,
            status=status, detail=detail, series=series,
            wall_seconds=answer.seconds if answer else None,
            eval_seconds=(stats.get("timings") or {}).get("evalTotalTime"),
            samples=(stats.get("samples") or {}).get("totalQueryableSamples"),
        )

    if target.datasource != PROMETHEUS:
        return result("skipped", f"{target.datasource} query, not Prometheus")
    if query.unresolved:
        return result("error", f"unknown variable(s): {', '.join('$' + v for v in query.unresolved)}")
    try:
        conditional = needs_failure(query.expr, failures.failure_only)
    except UnparsableExpr as error:
        return result("error", str(error))
    try:
        if target.instant:
            answer = api.query(query.expr, at=end, stats=True)
        else:
            answer = api.query_range(query.expr, end - time.window, end, time.step, stats=True)
    except ApiError as error:
        return result("error", str(error))
    series = series_with_values(answer.data.get("result") or [])
    if series:
        return result("data", "", series, answer)
    if conditional:
        return result("conditional", "no data; it reads only series that exist while something fails", 0, answer)
    returned = len(answer.data.get("result") or [])
    detail = f"{returned} series, every value NaN" if returned else "no data"
    return result("empty", detail, 0, answer)


def series_with_values(result: list[dict]) -> int:
    """Series with at least one real number (NaN is what Grafana shows as no value)."""
    def has_value(series: dict) -> bool:
        points = series.get("values") or ([series["value"]] if "value" in series else [])
        return any(not math.isnan(float(v)) for _, v in points)
    return sum(1 for s in result if has_value(s))
