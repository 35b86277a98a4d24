"""PromQL analysis on top of promql-parser's AST.

promtool decides whether an expression parses; this module answers the lint
questions (which functions wrap which selectors, what ranges are used) by
walking the AST from the ``promql-parser`` package.  An expression that
promql-parser cannot read is simply not analysed (promtool's syntax check
reports it if it is really broken).

The AST carries no source positions, so ``find_*_offset`` look the construct
up in the source text, with string literals and comments masked so that a
``[45]`` inside a regex is not mistaken for a range.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache
from typing import Iterator

import promql_parser as pp

from obsgen.promql import parse_duration

RATE_FUNCTIONS = frozenset({"rate", "irate", "increase"})
COUNTER_SUFFIXES = ("_total", "_count", "_sum", "_bucket")


@lru_cache(maxsize=4096)
def parse(expr: str) -> pp.Expr | None:
    """The AST, or None when promql-parser cannot read the expression.

    promql-parser checks regexes with Rust's regex crate, which refuses valid RE2 such as
    ``\\Q…\\E``; the checks here look at structure, never at regex values, so an expression it
    refuses only for a regex is read again with those regexes blanked."""
    for text in (expr, _REGEX_VALUE.sub(r'\1".*"', expr)):
        try:
            return pp.parse(text)
        except (ValueError, TypeError):
            continue
    return None


def children(node: pp.Expr) -> list[pp.Expr]:
    if isinstance(node, pp.BinaryExpr):
        return [node.lhs, node.rhs]
    if isinstance(node, pp.AggregateExpr):
        return [n for n in (node.param, node.expr) if n is not None]
    if isinstance(node, pp.Call):
        return list(node.args)
    if isinstance(node, (pp.ParenExpr, pp.UnaryExpr, pp.SubqueryExpr)):
        return [node.expr]
    if isinstance(node, pp.MatrixSelector):
        return [node.vector_selector]
    return []


def walk(node: pp.Expr, ancestors: tuple = ()) -> Iterator[tuple[pp.Expr, tuple]]:
    """Depth-first, left to right (source order), with each node's ancestors (outermost first)."""
    yield node, ancestors
    for child in children(node):
        yield from walk(child, ancestors + (node,))


def selector_name(selector: pp.VectorSelector) -> str | None:
    """Metric name of a selector, also when written as ``{__name__="x"}``."""
    if selector.name:
        return selector.name
    for matcher in selector.matchers.matchers:
        if matcher.name == "__name__" and matcher.op == pp.MatchOp.Equal:
            return matcher.value
    return None


def rate_calls(expr: pp.Expr) -> Iterator[tuple[str, pp.MatrixSelector]]:
    """(function name, its range-vector argument) for every rate/irate/increase."""
    for node, _ in walk(expr):
        if isinstance(node, pp.Call) and node.func.name in RATE_FUNCTIONS:
            for arg in node.args:
                if isinstance(arg, pp.MatrixSelector):
                    yield node.func.name, arg


def ranges(expr: pp.Expr) -> Iterator[tuple[str, timedelta]]:
    """Every ``[range]``: ("selector", d) for ``x[d]``, ("subquery", d) for ``(…)[d:step]``."""
    for node, _ in walk(expr):
        if isinstance(node, pp.MatrixSelector):
            yield "selector", node.range
        elif isinstance(node, pp.SubqueryExpr):
            yield "subquery", node.range


def named_like_counter(name: str) -> bool:
    """Whether the naming conventions suggest a counter. A hint for what to note, never a verdict:
    real gauges end in _count/_sum and real counters lack _total (see obsgen.lint.metric_types)."""
    return name.endswith(COUNTER_SUFFIXES)


def show_duration(duration: timedelta) -> str:
    return pp.display_duration(duration)


# --------------------------------------------------------------------------- source positions

_REGEX_VALUE = re.compile(r"""(=~|!~)\s*(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`)""")
_STRING_OR_COMMENT = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|`[^`]*`|#[^\n]*')
_RANGE_TEXT = re.compile(r"\[\s*([0-9][0-9a-zA-Z]*)\s*(:\s*[0-9a-zA-Z]*\s*)?\]")


def mask_strings(expr: str) -> str:
    """Blank string literals and comments, keeping every offset (and newline) in place."""
    return _STRING_OR_COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), expr)


def find_range_offset(expr: str, duration: timedelta) -> int | None:
    """Offset of the first ``[…]`` in ``expr`` whose range equals ``duration``."""
    for match in _RANGE_TEXT.finditer(mask_strings(expr)):
        try:
            if timedelta(seconds=parse_duration(match.group(1))) == duration:
                return match.start()
        except ValueError:
            continue
    return None


def find_name_offset(expr: str, name: str) -> int | None:
    """Offset of the first use of metric ``name`` outside strings and comments."""
    match = re.search(rf"(?<![\w:]){re.escape(name)}(?![\w:])", mask_strings(expr))
    return match.start() if match else None


def find_call_offset(expr: str, function: str) -> int | None:
    match = re.search(rf"(?<![\w:]){re.escape(function)}\s*\(", mask_strings(expr))
    return match.start() if match else None
