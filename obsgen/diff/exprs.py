"""Describe how one PromQL expression differs from another in a single readable phrase."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

# A number standing alone: not part of a name (rate5m, job_2) or a duration ([5m]).
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.])")
_TOKEN = re.compile(r"\s+|[A-Za-z_:][\w:]*|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?[a-z]*|\"(?:[^\"\\]|\\.)*\"|.")
CONTEXT_TOKENS = 4
MAX_PIECES = 3


def _normal(expr: str) -> str:
    return " ".join(str(expr).split())


def describe(old: str, new: str) -> str | None:
    """None when equal (ignoring layout); else e.g. 'threshold 0.05 -> 0.04' or "`[5m]` -> `[10m]`"."""
    old, new = _normal(old), _normal(new)
    if old == new:
        return None
    numbers = _number_changes(old, new)
    if numbers:
        label = "threshold" if len(numbers) == 1 else "values"
        return f"{label} " + ", ".join(f"{a} -> {b}" for a, b in numbers)
    return _token_change(old, new)


def _number_changes(old: str, new: str) -> list[tuple[str, str]] | None:
    """The changed numbers, when nothing but numbers changed."""
    if _NUMBER.sub("#", old) != _NUMBER.sub("#", new):
        return None
    pairs = [(a, b) for a, b in zip(_NUMBER.findall(old), _NUMBER.findall(new)) if a != b]
    return list(dict.fromkeys(pairs))


def _token_change(old: str, new: str) -> str:
    """The replaced pieces with a little context, `handler="/a"` -> `handler="/b"` (x2);
    an excerpt around the whole changed stretch when the pieces are too many to list."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    pieces = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag != "equal":
            context = "".join(a[max(0, i1 - CONTEXT_TOKENS // 2):i1]).lstrip()
            pieces.append((context + "".join(a[i1:i2]), context + "".join(b[j1:j2])))
    unique = list(dict.fromkeys(pieces))
    if len(unique) <= MAX_PIECES:
        return ", ".join(f"`{x.strip() or '(nothing)'}` -> `{y.strip() or '(nothing)'}`"
                         + (f" (x{pieces.count((x, y))})" if pieces.count((x, y)) > 1 else "") for x, y in unique)
    return _excerpt_change(a, b)


def _excerpt_change(a: list[str], b: list[str]) -> str:
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(a), len(b)) - prefix and a[len(a) - 1 - suffix] == b[len(b) - 1 - suffix]:
        suffix += 1
    start = max(0, prefix - CONTEXT_TOKENS)

    def excerpt(tokens: list[str]) -> str:
        end = len(tokens) - max(0, suffix - CONTEXT_TOKENS)
        text = "".join(tokens[start:end]).strip()
        return ("…" if start else "") + text + ("…" if end < len(tokens) else "")

    return f"`{excerpt(a)}` -> `{excerpt(b)}`"
