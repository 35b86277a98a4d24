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

MIN_FILL = 32  # steps a column that fills ahead computes at least

Fill = Callable[[int, int], list]  # (start, stop) -> the values at steps start .. stop - 1


class Column(Generic[T]):
    """A column that never raises may be filled ahead of the step asked for, up to ``ahead`` steps (the world's
    length): filling in a few long passes rather than one pass a step saves most of the calls. A column whose
    steps may raise (a strict comparison) must not be: it would raise at a step the scenario never asks about."""

    __slots__ = ("values", "_fill", "_ahead")

    def __init__(self, fill: Fill, ahead: int = 0):
        self.values: list[T] = []
        self._fill = fill
        self._ahead = ahead

    def at(self, step: int) -> T:
        """The value at step; a step before the world's first (no data yet) is computed, not kept."""
        values = self.values
        if step < 0:
            return self._fill(step, step + 1)[0]
        if step >= len(values):
            stop = step + 1
            if stop < self._ahead:  # at least double what is known, within the world
                stop = min(self._ahead, max(stop, 2 * len(values), MIN_FILL))
            values.extend(self._fill(len(values), stop))
        return values[step]

    def upto(self, step: int) -> list[T]:
        """Every value from step 0 to step at least (the list itself: read it, do not change it)."""
        self.at(step)
        return self.values
