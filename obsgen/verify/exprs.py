"""What a PromQL expression reads: its selectors, the labels it groups raw series by, and whether
it can have data at all while nothing fails.

Built on promql-parser's AST (``obsgen.promql.analysis``); expressions must already be free of
Grafana variables (``obsgen.verify.variables``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import promql_parser as pp

from obsgen.promql import Matcher, Selector
from obsgen.promql.analysis import children, parse, selector_name, walk

_OPS = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~", "MatchOp.NotRe": "!~"}
# Functions that return a sample exactly when their argument has none.
ABSENCE_FUNCTIONS = frozenset({"absent", "absent_over_time"})


class UnparsableExpr(ValueError):
    pass


def parsed(expr: str) -> pp.Expr:
    node = parse(expr)
    if node is None:
        raise UnparsableExpr(f"promql-parser cannot read: {expr}")
    return node


def to_selector(node: pp.VectorSelector) -> Selector | None:
    """The selector as obsgen's own type (matchers in written order, no __name__)."""
    name = selector_name(node)
    if name is None:
        return None
    matchers = tuple(Matcher(m.name, _OPS[str(m.op)], m.value)
                     for m in node.matchers.matchers if m.name != "__name__")
    return Selector(name, matchers)


def selectors(expr: str) -> list[Selector]:
    """Every series selector the expression reads, in source order, duplicates removed."""
    vectors = (node for node, _ in walk(parsed(expr)) if isinstance(node, pp.VectorSelector))
    found = [s for s in map(to_selector, vectors) if s is not None]
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class Grouping:
    """Labels an aggregation groups by, and the selectors it aggregates directly."""

    labels: tuple[str, ...]
    selectors: tuple[Selector, ...]


def groupings(expr: str) -> list[Grouping]:
    """`sum by (le, genre) (rate(x[5m]))`: the series of x must carry le and genre, or the result
    collapses into one series silently. Only selectors with no aggregation in between count."""
    found = []
    for node, _ in walk(parsed(expr)):
        if isinstance(node, pp.AggregateExpr) and node.modifier is not None:
            if str(node.modifier.type).endswith("By") and node.modifier.labels:
                direct = tuple(s for s in map(to_selector, _direct_selectors(node.expr)) if s is not None)
                if direct:
                    found.append(Grouping(tuple(node.modifier.labels), direct))
    return found


def _direct_selectors(node: pp.Expr) -> Iterator[pp.VectorSelector]:
    if isinstance(node, pp.AggregateExpr):
        return
    if isinstance(node, pp.VectorSelector):
        yield node
    for child in children(node):
        yield from _direct_selectors(child)


def needs_failure(expr: str, failure_only: Callable[[Selector], bool]) -> bool:
    """True when the expression can only return data while something fails.

    ``failure_only(selector)`` says whether a selector's series exist only under failure (error
    counters, for instance). ``a or b`` has data when either side does; every other binary
    operation needs both sides; ``absent(x)`` has data exactly when x has none.
    """
    return _needs_failure(parsed(expr), failure_only)


def _needs_failure(node: pp.Expr, failure_only: Callable[[Selector], bool]) -> bool:
    if isinstance(node, (pp.NumberLiteral, pp.StringLiteral)):
        return False
    if isinstance(node, pp.VectorSelector):
        selector = to_selector(node)
        return selector is not None and failure_only(selector)
    if isinstance(node, pp.BinaryExpr):
        lhs, rhs = _needs_failure(node.lhs, failure_only), _needs_failure(node.rhs, failure_only)
        op = str(node.op).lower()
        if op == "or":
            return lhs and rhs
        if op == "unless":
            return lhs
        return lhs or rhs
    if isinstance(node, pp.Call) and node.func.name in ABSENCE_FUNCTIONS:
        return not any(_needs_failure(arg, failure_only) for arg in node.args)
    return any(_needs_failure(child, failure_only) for child in children(node))


def fingerprint(expr: str) -> tuple:
    """A structural key of an expression: equal for the text we generate and the text Prometheus
    reports for it (Prometheus sorts matchers and drops redundant parentheses)."""
    return _fingerprint(parsed(expr))


def _fingerprint(node: pp.Expr | None) -> tuple:
    if node is None:
        return ()
    if isinstance(node, pp.VectorSelector):
        selector = to_selector(node)
        matchers = frozenset(selector.matchers) if selector else frozenset()
        return "selector", selector.metric if selector else "", matchers, str(node.offset), str(node.at)
    if isinstance(node, pp.MatrixSelector):
        return "range", _fingerprint(node.vector_selector), node.range
    if isinstance(node, pp.ParenExpr):
        return _fingerprint(node.expr)
    if isinstance(node, pp.BinaryExpr):
        modifier = str(node.modifier) if node.modifier is not None else ""
        return "binary", str(node.op), modifier, _fingerprint(node.lhs), _fingerprint(node.rhs)
    if isinstance(node, pp.AggregateExpr):
        modifier = str(node.modifier) if node.modifier is not None else ""
        return "aggregate", str(node.op), modifier, _fingerprint(node.param), _fingerprint(node.expr)
    if isinstance(node, pp.Call):
        return "call", node.func.name, tuple(_fingerprint(arg) for arg in node.args)
    if isinstance(node, pp.SubqueryExpr):
        return "subquery", _fingerprint(node.expr), node.range, node.step, str(node.offset), str(node.at)
    if isinstance(node, pp.UnaryExpr):
        return "negate", _fingerprint(node.expr)
    if isinstance(node, pp.NumberLiteral):
        return "number", node.val
    if isinstance(node, pp.StringLiteral):
        return "string", node.val
    return "other", str(node)
