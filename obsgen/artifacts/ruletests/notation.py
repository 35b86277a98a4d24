"""promtool's expanding notation for input series values ("0+10x4320 _x5 stale").

``a+bxn`` stands for the n+1 values a, a+b, ..., a+n*b; ``_xn`` for n missing samples;
``stale`` for a staleness marker (the series ends there, as when a target disappears).
Compressing runs keeps a three-day series one short line instead of 4320 numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

from obsgen.promql import format_number

STALE = "stale"
Sample = float | int | str | None  # a number, STALE, or None for "no sample at this step"


def _number(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return format_number(value)


def compress(values: Sequence[Sample]) -> str:
    """The shortest run-length form of one sample per step."""
    parts: list[str] = []
    i = 0
    while i < len(values):
        value = values[i]
        if value is None:
            j = i
            while j < len(values) and values[j] is None:
                j += 1
            parts.append("_" if j - i == 1 else f"_x{j - i}")
            i = j
        elif value == STALE:
            parts.append(STALE)
            i += 1
        else:
            j = _arithmetic_run_end(values, i)
            parts.append(_run(values[i], values[i + 1] - values[i] if j > i else 0, j - i))
            i = j + 1
    return " ".join(parts)


def _is_number(value: Sample) -> bool:
    return value is not None and value != STALE


def _arithmetic_run_end(values: Sequence[Sample], start: int) -> int:
    """Index of the last value continuing the arithmetic run that begins at start."""
    if start + 1 >= len(values) or not _is_number(values[start + 1]):
        return start
    step = values[start + 1] - values[start]
    end = start + 1
    while end + 1 < len(values) and _is_number(values[end + 1]) and values[end + 1] - values[end] == step:
        end += 1
    return end


def _run(first: float, step: float, count: int) -> str:
    if count == 0:
        return _number(first)
    sign = "-" if step < 0 else "+"
    return f"{_number(first)}{sign}{_number(abs(step))}x{count}"


def expand(text: str) -> list[Sample]:
    """The inverse of compress, for the notation compress writes (used to check round trips)."""
    values: list[Sample] = []
    for token in text.split():
        if token == STALE:
            values.append(STALE)
        elif token.startswith("_"):
            values.extend([None] * (int(token[2:]) if token.startswith("_x") else 1))
        elif "x" in token:
            head, count = token.rsplit("x", 1)
            sign_at = max(head.rfind("+"), head.rfind("-"))
            first, step = float(head[:sign_at]), float(head[sign_at:])
            values.extend(first + step * k for k in range(int(count) + 1))
        else:
            values.append(float(token))
    return values
