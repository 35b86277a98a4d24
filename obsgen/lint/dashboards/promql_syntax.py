"""dashboard/promql-syntax: every PromQL target parses (Prometheus' parser, via promtool).

A broken query shows as a red triangle only when someone opens the
dashboard — often mid-incident.  Grafana variables are substituted first
(see ``variables.py``), and all targets of all dashboards go to promtool in
one batch.
"""

from __future__ import annotations

from obsgen.lint.dashboards.context import finding
from obsgen.lint.finding import ERROR

ID = "dashboard/promql-syntax"
SEVERITY = ERROR
# The same check under the names other linters give it (docs/lint.md lists them).
KNOWN_AS = ("dashboard-linter target-promql-rule",)
NEEDS_PROMTOOL = True


def check(ctx):
    errors = ctx.parse_errors or {}
    for item in ctx.promql_targets:
        error = errors.get((item.dashboard.path, item.target.expr_path))
        if error is not None:
            where = f" at {error.line}:{error.col}" if error.line else ""
            if error.line and item.expanded != item.target.expr:
                where += " (after expanding variables)"
            message = f"PromQL does not parse{where}: {error.message}"
            yield finding(item.dashboard, item.target.expr_path, ID, SEVERITY, message)
