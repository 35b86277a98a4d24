"""Multi-window burn-rate alerts, recognised in any rule file (obsgen's, Sloth's, hand-written ones).

An alert is one when its expression is an ``or`` of window pairs, each an ``and`` of at least two
comparisons of the same SLI at different windows against the same threshold (``factor * budget``):
``slo:sli_error:ratio_rate5m{...} > (14.4 * 0.001) and slo:sli_error:ratio_rate1h{...} > (14.4 * 0.001)``,
Sloth's ``max(... > ...) without (sloth_window)``, or inline ``rate(errors[5m]) / rate(total[5m]) > 0.0144``.
Other operands of a pair (a low-traffic guard ``and on () (...) >= 70``) are allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import promql_parser as pp

from obsgen.promql import parse_duration
from obsgen.promql.analysis import parse, selector_name, walk

_COMPARISONS = (">", ">=")
# A recorded SLI named after its window: slo:sli_error:ratio_rate5m, job:errors:ratio_1h.
_WINDOW_SUFFIX = re.compile(r"^(.*?)((?:[0-9]+(?:ms|s|m|h|d|w|y))+)$")


@dataclass(frozen=True)
class Pair:
    short: timedelta
    long: timedelta
    threshold: float  # the error ratio both windows must exceed: factor x budget
    labels: tuple[tuple[str, str], ...]  # equality matchers of the long window's selector
    long_metric: str | None  # for positions


@dataclass(frozen=True)
class _Term:
    window: timedelta
    base: str
    threshold: float
    labels: tuple[tuple[str, str], ...]
    metric: str | None


def constant(node: pp.Expr) -> float | None:
    """The value of a number expression (``14.4 * 0.001``, ``vector(1 - 0.999)``), or None."""
    if isinstance(node, pp.NumberLiteral):
        return node.val
    if isinstance(node, pp.ParenExpr):
        return constant(node.expr)
    if isinstance(node, pp.Call) and node.func.name in ("vector", "scalar") and len(node.args) == 1:
        return constant(node.args[0])
    if isinstance(node, pp.BinaryExpr):
        lhs, rhs, op = constant(node.lhs), constant(node.rhs), str(node.op)
        if lhs is None or rhs is None:
            return None
        if op == "/":
            return lhs / rhs if rhs else None
        return {"+": lhs + rhs, "-": lhs - rhs, "*": lhs * rhs}.get(op)
    return None


def _operands(node: pp.Expr, op: str) -> list[pp.Expr]:
    """The operands of a chain of one binary operator (``a or b or c``), through parentheses."""
    while isinstance(node, pp.ParenExpr):
        node = node.expr
    if isinstance(node, pp.BinaryExpr) and str(node.op) == op:
        return _operands(node.lhs, op) + _operands(node.rhs, op)
    return [node]


def _comparison(node: pp.Expr) -> pp.BinaryExpr | None:
    while isinstance(node, (pp.ParenExpr, pp.AggregateExpr)):
        node = node.expr
    return node if isinstance(node, pp.BinaryExpr) and str(node.op) in _COMPARISONS else None


def _labels(selector: pp.VectorSelector) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((m.name, m.value) for m in selector.matchers.matchers
                        if m.op == pp.MatchOp.Equal and m.name != "__name__"))


def _term(node: pp.Expr) -> _Term | None:
    """One window's comparison: which SLI, at which window, against which threshold."""
    comparison = _comparison(node)
    threshold = constant(comparison.rhs) if comparison is not None else None
    if threshold is None:
        return None
    selectors = [n for n, _ in walk(comparison.lhs) if isinstance(n, pp.VectorSelector)]
    names = [selector_name(s) for s in selectors]
    ranges = {n.range for n, _ in walk(comparison.lhs) if isinstance(n, pp.MatrixSelector)}
    if len(selectors) == 1 and not ranges and names[0]:
        match = _WINDOW_SUFFIX.match(names[0])
        if not match:
            return None
        try:
            window = timedelta(seconds=parse_duration(match.group(2)))
        except ValueError:
            return None
        return _Term(window, match.group(1), threshold, _labels(selectors[0]), names[0])
    if len(ranges) == 1 and all(names):
        return _Term(ranges.pop(), ",".join(sorted(set(names))), threshold,
                     _labels(selectors[0]) if selectors else (), names[0] if names else None)
    return None


def _pair(conjunction: pp.Expr) -> Pair | None:
    terms = [t for t in (_term(n) for n in _operands(conjunction, "and")) if t is not None]
    for first in terms:
        same = [t for t in terms if t.base == first.base and abs(t.threshold - first.threshold) <= 1e-12 * max(1, first.threshold)]
        windows = {t.window for t in same}
        if len(windows) >= 2:
            longest = max(same, key=lambda t: t.window)
            return Pair(min(windows), longest.window, first.threshold, longest.labels, longest.metric)
    return None


def burn_rate_pairs(expr: str | None) -> list[Pair] | None:
    """The window pairs of a burn-rate alert's expression; None when it is not one."""
    ast = parse(expr) if expr else None
    if ast is None:
        return None
    pairs = [_pair(d) for d in _operands(ast, "or")]
    return pairs if pairs and all(p is not None for p in pairs) else None
