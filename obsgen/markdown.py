"""Spec text in Markdown: shown as written, never interpreted.

Text is escaped (each character that can start a link, an image, HTML, an entity, emphasis or code
is backslash-escaped) and kept on one line, so nothing that only means something at a line's start can act; code goes in spans and fenced
blocks whose backtick fence is longer than any backtick run inside, so no content can close them.
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~&])")
_BACKTICKS = re.compile(r"`+")


def text(value: str) -> str:
    """Literal inline text: punctuation escaped, line breaks and runs of whitespace made one space."""
    return _SPECIAL.sub(r"\\\1", " ".join(value.split()))


def _longest_backticks(values: list[str]) -> int:
    return max((len(run) for value in values for run in _BACKTICKS.findall(value)), default=0)


def code_span(value: str) -> str:
    """Inline code; a span opened by n backticks ends only at a run of exactly n."""
    value = " ".join(value.split())
    fence = "`" * (_longest_backticks([value]) + 1)
    # One space each side is stripped again by the renderer; it keeps a leading or trailing backtick apart.
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def code_block(lines: list[str], info: str = "", indent: str = "") -> list[str]:
    """A fenced block; lines must not contain line breaks (the spec's patterns refuse them)."""
    fence = "`" * max(3, _longest_backticks(lines) + 1)
    return [f"{indent}{fence}{info}", *(f"{indent}{line}" for line in lines), f"{indent}{fence}"]


def link(label: str, url: str) -> str:
    # Characters that would end or break a link destination are percent-encoded.
    safe = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
    return f"[{text(label)}]({safe})"
