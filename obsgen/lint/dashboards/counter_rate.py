"""dashboard/counter-rate: a counter is shown through ``rate()``/``increase()``, not bare.

A raw counter (``_total``, ``_count``, ``_sum``, ``_bucket``) only goes up
and resets on restart: its graph is a sawtooth whose value means "since the
process started".  What a reader wants is the per-second rate or the
increase over a window.  ``absent()``, ``timestamp()``, ``count`` and
``group`` are exempt: they look at series existence, not values.
"""

from __future__ import annotations

import promql_parser as pp

from obsgen.lint import promql
from obsgen.lint.dashboards.context import finding
from obsgen.lint.finding import WARNING

ID = "dashboard/counter-rate"
SEVERITY = WARNING
EXEMPT_FUNCTIONS = frozenset({"absent", "timestamp"})
EXEMPT_AGGREGATIONS = frozenset({"count", "group"})


def check(ctx):
    for item in ctx.promql_targets:
        if item.ast is None:
            continue
        for name in sorted(bare_counters(item.ast)):
            message = f"counter {name!r} is used without rate()/increase()"
            yield finding(item.dashboard, item.target.expr_path, ID, SEVERITY, message)


def bare_counters(ast) -> set[str]:
    found = set()
    for node, ancestors in promql.walk(ast):
        if not isinstance(node, pp.VectorSelector):
            continue
        name = promql.selector_name(node)
        if name and ":" not in name and promql.is_counter_name(name) and not _exempt(ancestors):
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
