"""dashboard/counter-rate: a counter is shown through ``rate()``/``increase()``, not bare.

A raw counter only goes up and resets on restart: its graph is a sawtooth
whose value means "since the process started".  What a reader wants is the
per-second rate or the increase over a window.  ``absent()``, ``timestamp()``,
``count`` and ``group`` are exempt: they look at series existence, not values.

Names do not say what is a counter (``pg_stat_activity_count`` and
``kafka_consumergroup_lag_sum`` are gauges), so a series is judged by its
declared type: from the spec during ``obsgen build``, from Prometheus' metric
metadata with ``obsgen lint --prometheus URL``.  A declared counter shown bare
is a warning; a series whose type nobody declared but whose name ends in
``_total``/``_count``/``_sum``/``_bucket`` is a note (it fails nothing).
"""

from __future__ import annotations

import promql_parser as pp

from obsgen.lint.dashboards.context import finding
from obsgen.lint.finding import NOTE, WARNING
from obsgen.lint.metric_types import COUNTER, MetricTypes
from obsgen.promql import analysis

ID = "dashboard/counter-rate"
SEVERITY = WARNING
# The same check under the names other linters give it (docs/lint.md lists them).
KNOWN_AS = ("dashboard-linter target-counter-agg-rule", "pint promql/counter")
EXEMPT_FUNCTIONS = frozenset({"absent", "timestamp"})
EXEMPT_AGGREGATIONS = frozenset({"count", "group"})


def check(ctx):
    types = ctx.metric_types
    for item in ctx.promql_targets:
        if item.ast is None:
            continue
        for name in sorted(bare_series(item.ast)):
            verdict = judge(name, types)
            if verdict:
                yield finding(item.dashboard, item.target.expr_path, ID, *verdict)


def judge(name: str, types: MetricTypes) -> tuple[str, str] | None:
    """(severity, message) for a series shown without rate(), or None when that is right."""
    kind = types.series_kind(name)
    if kind == COUNTER:
        return WARNING, f"counter {name!r} is used without rate()/increase() ({types.source} declares it a counter)"
    if kind is None and analysis.named_like_counter(name):
        return NOTE, f"{name!r} is used without rate()/increase() and its name suggests a counter, but {types.unknown_reason()}"
    return None


def bare_series(ast) -> set[str]:
    """Raw (not recorded) series whose values are shown as they are."""
    found = set()
    for node, ancestors in analysis.walk(ast):
        if not isinstance(node, pp.VectorSelector):
            continue
        name = analysis.selector_name(node)
        if name and ":" not in name and not _exempt(ancestors):
            found.add(name)
    return found


def _exempt(ancestors) -> bool:
    for node in ancestors:
        if isinstance(node, (pp.MatrixSelector, pp.SubqueryExpr)):
            return True
        if isinstance(node, pp.Call) and node.func.name in EXEMPT_FUNCTIONS:
            return True
        if isinstance(node, pp.AggregateExpr) and str(node.op) in EXEMPT_AGGREGATIONS:
            return True
    return False
