"""The one table renderer: columns that fit the terminal, cells wrapped rather than cut.

Without a terminal (a pipe, a CI log) the width is $COLUMNS, else FALLBACK_COLUMNS; commands that
print tables also offer `--format json` for machines.
"""

from __future__ import annotations

import shutil
import textwrap
from typing import Sequence

GAP = "  "
FALLBACK_COLUMNS = 120
MIN_COLUMN = 8  # narrower than this, a wrapped cell is unreadable: the table overflows instead


def terminal_width() -> int:
    """The terminal's columns ($COLUMNS first, as shutil reads it)."""
    return shutil.get_terminal_size((FALLBACK_COLUMNS, 24)).columns


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, indent: str = "",
          width: int | None = None) -> list[str]:
    """Lines of a table: a header, a rule, then rows whose cells wrap within their column."""
    cells = [[" ".join(str(cell).split()) for cell in row] for row in [list(headers), *rows]]
    natural = [max(len(cell) for cell in column) for column in zip(*cells)]
    room = (width or terminal_width()) - len(indent) - len(GAP) * (len(natural) - 1)
    widths = _fitted(natural, room)
    lines = _wrapped(indent, cells[0], widths) + [_line(indent, ["-" * w for w in widths], widths)]
    for row in cells[1:]:
        lines += _wrapped(indent, row, widths)
    return lines


def _wrapped(indent: str, row: list[str], widths: list[int]) -> list[str]:
    """One row as one or more lines, each cell wrapped at spaces (or mid-word when it has none)."""
    parts = [textwrap.wrap(cell, w, break_on_hyphens=False) or [""] for cell, w in zip(row, widths)]
    return [_line(indent, [p[number] if number < len(p) else "" for p in parts], widths)
            for number in range(max(len(p) for p in parts))]


def _fitted(natural: list[int], room: int) -> list[int]:
    """Narrow the widest columns first until the table fits `room` (or every column is at its minimum)."""
    widths = list(natural)
    floors = [min(w, MIN_COLUMN) for w in natural]
    excess = sum(widths) - room
    while excess > 0:
        shrinkable = [i for i, w in enumerate(widths) if w > floors[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: (widths[i], -i))
        others = max([widths[i] for i in shrinkable if i != widest] + [floors[widest]])
        cut = min(excess, widths[widest] - others or 1, widths[widest] - floors[widest])
        widths[widest] -= cut
        excess -= cut
    return widths


def _line(indent: str, cells: Sequence[str], widths: list[int]) -> str:
    return (indent + GAP.join(str(c).ljust(w) for c, w in zip(cells, widths))).rstrip()
