"""Checks on PromQL a spec writes itself (raw SLI queries, custom alerts): it must parse, as Prometheus
would parse it, and be an instant vector, since recording rules and alerts need one."""

from __future__ import annotations

import promql_parser as pp

from obsgen.model import WINDOW_PLACEHOLDER

# Substituted for the placeholder when checking a query; any duration would do.
CHECK_WINDOW = "5m"


def value_type(node: pp.Expr) -> str:
    """vector, scalar, matrix or string: the type an expression evaluates to."""
    if isinstance(node, (pp.ParenExpr, pp.UnaryExpr)):
        return value_type(node.expr)
    if isinstance(node, pp.NumberLiteral):
        return "scalar"
    if isinstance(node, pp.StringLiteral):
        return "string"
    if isinstance(node, (pp.MatrixSelector, pp.SubqueryExpr)):
        return "matrix"
    if isinstance(node, pp.BinaryExpr):
        sides = {value_type(node.lhs), value_type(node.rhs)}
        return "vector" if "vector" in sides else "scalar"
    if isinstance(node, pp.Call):
        return str(node.func.return_type).rsplit(".", 1)[-1].lower()
    return "vector"  # selectors and aggregations


def problem(expr: str) -> str | None:
    """Why expr cannot be used as a rule's expression, or None."""
    try:
        parsed = pp.parse(expr)
    except (ValueError, TypeError) as error:
        return f"does not parse as PromQL: {error}"
    kind = value_type(parsed)
    if kind != "vector":
        return f"is a {kind} expression; a rule needs an instant vector"
    return None


def template_problem(template: str) -> str | None:
    """A raw SLI query: only the exact placeholder may contain braces pairs, then the expansion must parse."""
    if "{{" in template.replace(WINDOW_PLACEHOLDER, "") or "}}" in template.replace(WINDOW_PLACEHOLDER, ""):
        return (f"the only template in a query is {WINDOW_PLACEHOLDER} (exactly so); any other '{{{{' or '}}}}' "
                f"would reach Go templates")
    reason = problem(template.replace(WINDOW_PLACEHOLDER, CHECK_WINDOW))
    return f"with {WINDOW_PLACEHOLDER} = {CHECK_WINDOW}, the query {reason}" if reason else None


def series_problem(series: str) -> str | None:
    """A test's input series: a metric name with equality matchers only, as promtool's input_series wants."""
    try:
        parsed = pp.parse(series)
    except (ValueError, TypeError) as error:
        return f"does not parse: {error}"
    if not isinstance(parsed, pp.VectorSelector) or not parsed.name:
        return "must be a metric name with its labels, e.g. up{job=\"x\"}"
    if any(m.op != pp.MatchOp.Equal for m in parsed.matchers.matchers):
        return "may only use = matchers: it names one series"
    return None
