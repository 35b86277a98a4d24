"""A journey's dimensions (spec.by): the labels every aggregation keeps, so one spec serves many clusters.

Without dimensions every helper returns exactly what the rules wrote before (`sum(...)`, `or vector(0)`),
so output for specs without `by:` does not change.
"""

from __future__ import annotations

from typing import Sequence

from obsgen.promql import label_name


def by_clause(dims: Sequence[str]) -> str:
    return f" by ({', '.join(label_name(d) for d in dims)})" if dims else ""


def aggregate(op: str, dims: Sequence[str], inner: str) -> str:
    """`op by (dims) (inner)`, or plain `op(inner)` without dimensions."""
    return f"{op}{by_clause(dims)}({inner})"


def zero_like(dims: Sequence[str], present: Sequence[str]) -> str:
    """What a missing term counts as: zero. `vector(0)` has no labels, so with dimensions it would be a
    series of its own instead of filling the gap; `0 * (a or b)` is zero for every dimension value that
    has any of the `present` series (each already aggregated by the dimensions)."""
    if not dims:
        return "vector(0)"
    union = " or ".join(present)
    return f"0 * ({union})" if len(present) > 1 else f"0 * {union}"


def or_constant(dims: Sequence[str], value: str) -> str:
    """`or vector(value)` for "nothing at all": with dimensions `on ()` keeps the constant out while any
    dimension value has data (a dimension value that vanished alone cannot be told from one that never was)."""
    return f"or on () vector({value})" if dims else f"or vector({value})"


def summary_suffix(dims: Sequence[str]) -> str:
    """Names the dimension values in an alert's summary; label names are checked, so the template is obsgen's."""
    return "".join(f" [{d} {{{{ $labels.{d} }}}}]" for d in dims)
