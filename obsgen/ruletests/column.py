"""One expression's value at every evaluation step, computed once and on demand.

The scenarios ask the same expressions (a rate over a window, an SLI, an SLO window's ratio) at
every step of a world, in increasing order, and stop as soon as they know when an alert fires. A
column remembers every step it computed and, asked for a later one, computes the steps in between
in one pass: no step is computed twice, and none far beyond what was asked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

Fill = Callable[[int, int], list]  # (start, stop) -> the values at steps start .. stop - 1


class Column(Generic[T]):
    __slots__ = ("values", "_fill")

    def __init__(self, fill: Fill):
        self.values: list[T] = []
        self._fill = fill

    def at(self, step: int) -> T:
        """The value at step; a step before the world's first (no data yet) is computed, not kept."""
        values = self.values
        if step < 0:
            return self._fill(step, step + 1)[0]
        if step >= len(values):
            values.extend(self._fill(len(values), step + 1))
        return values[step]

    def upto(self, step: int) -> list[T]:
        """Every value from step 0 to step (the list itself: read it, do not change it)."""
        self.at(step)
        return self.values
