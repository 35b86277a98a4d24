"""Do the metrics and labels that the rules and panels read exist in what Prometheus scrapes?

Each raw selector (one that no generated recording rule produces) must match at least one series
over the window, and the labels queries group it by must be on those series. When it does not,
the report says which matcher fails, which values the label does have, and what the metric name
probably should have been.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from obsgen.clients.prometheus import PrometheusApi
from obsgen.promql import Matcher, Selector
from obsgen.promql.regex import RegexError
from obsgen.verify.catalog import FAILURE_ONLY_METRICS, ModelSelector, find
from obsgen.verify.report import SelectorCheck

SUGGESTIONS = 3
SHOWN_VALUES = 8


@dataclass
class SelectorUse:
    selector: Selector
    users: list[str] = field(default_factory=list)
    grouped_by: set[str] = field(default_factory=set)
    model: ModelSelector | None = None


def selector_key(selector: Selector) -> tuple[str, frozenset[Matcher]]:
    return selector.metric, frozenset(selector.matchers)


@dataclass
class Uses:
    """Raw selectors by identity (matcher order does not matter), in first-seen order."""

    by_key: dict[tuple[str, frozenset[Matcher]], SelectorUse] = field(default_factory=dict)

    def add(self, selector: Selector, user: str | None, grouped_by: tuple[str, ...] = ()) -> SelectorUse:
        use = self.by_key.setdefault(selector_key(selector), SelectorUse(selector))
        if user and user not in use.users:
            use.users.append(user)
        use.grouped_by.update(grouped_by)
        return use

    def __iter__(self):
        return iter(self.by_key.values())


def check_uses(api: PrometheusApi, uses: Uses, start: float, end: float) -> list[SelectorCheck]:
    names = api.metric_names(start, end)
    known = set(names)
    return [_check(api, use, names, known, start, end) for use in uses]


def _check(api: PrometheusApi, use: SelectorUse, names: list[str], known: set[str],
           start: float, end: float) -> SelectorCheck:
    selector = use.selector
    origin = use.model.origin if use.model else ""
    users = tuple(use.users) or ("(no rule or panel reads it)",)

    def result(status: str, detail: str) -> SelectorCheck:
        return SelectorCheck(selector.promql(), origin, status, detail, users)

    if selector.metric in FAILURE_ONLY_METRICS:
        return result("conditional", "series exist only while alerts are active")
    if selector.metric not in known:
        return result("missing-metric", f"no metric named {selector.metric} in Prometheus{did_you_mean(selector.metric, names)}")
    series = api.series(selector.promql(), start, end)
    if series:
        return _grouping_check(use, series, result)
    if use.model is not None and use.model.failure_only:
        return _failure_only_check(api, use.model, start, end, result)
    everything = api.series(selector.metric, start, end)
    return result("no-series", explain_no_match(selector, everything))


def _grouping_check(use: SelectorUse, series: list[dict], result) -> SelectorCheck:
    present = {label for s in series for label in s}
    missing = sorted(use.grouped_by - present)
    if missing:
        hints = [f"{label}{did_you_mean(label, sorted(present))}" for label in missing]
        return result("missing-label", f"queries group by label(s) no series of it has: {', '.join(hints)}")
    return result("ok", f"{len(series)} series")


def _failure_only_check(api: PrometheusApi, model: ModelSelector, start: float, end: float, result) -> SelectorCheck:
    """An error selector with no series yet: fine if the healthy part matches and carries the failure labels."""
    base = api.series(model.base.promql(), start, end)
    failure = ", ".join(m.promql() for m in model.failure_only)
    if not base:
        everything = api.series(model.selector.metric, start, end)
        return result("no-series", explain_no_match(model.base, everything))
    present = {label for s in base for label in s}
    missing = sorted({m.label for m in model.failure_only} - present)
    if missing:
        return result("missing-label", f"failures are selected by {failure}, but no series of "
                                       f"{model.base.promql()} has label(s) {', '.join(missing)}"
                                       f"{did_you_mean(missing[0], sorted(present))}")
    return result("conditional", f"no failures recorded yet ({failure}); {len(base)} series match the rest")


def did_you_mean(name: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(name, candidates, n=SUGGESTIONS, cutoff=0.6)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def matches(matcher: Matcher, labels: dict[str, str]) -> bool:
    try:
        return matcher.accepts(labels.get(matcher.label, ""))
    except RegexError:  # a query's regex Prometheus would refuse: no series can be shown to match it
        return False


def explain_no_match(selector: Selector, series: list[dict]) -> str:
    """Which matchers of a selector no series of its metric satisfies, and what values exist."""
    if not series:
        return f"{selector.metric} has no series in the window"
    failing = [m for m in selector.matchers if not any(matches(m, s) for s in series)]
    if not failing:
        shown = ", ".join(m.promql() for m in selector.matchers)
        return f"each matcher matches some series of {selector.metric}, but no series matches all of {shown}"
    reasons = []
    for matcher in failing:
        values = sorted({s[matcher.label] for s in series if matcher.label in s})
        if not values:
            labels = sorted({label for s in series for label in s if label != "__name__"})
            reasons.append(f"no series of {selector.metric} has label {matcher.label}"
                           f"{did_you_mean(matcher.label, labels)}")
            continue
        listed = ", ".join(values[:SHOWN_VALUES]) + (", ..." if len(values) > SHOWN_VALUES else "")
        hint = did_you_mean(matcher.value, values) if matcher.op == "=" else ""
        reasons.append(f"{matcher.promql()} matches none of the values [{listed}]{hint}")
    return "; ".join(reasons)


def model_use(uses: Uses, catalog: list[ModelSelector], selector: Selector, user: str | None,
              grouped_by: tuple[str, ...] = ()) -> None:
    use = uses.add(selector, user, grouped_by)
    if use.model is None:
        use.model = find(catalog, selector)
