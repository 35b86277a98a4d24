"""Results of pure functions of one model object, remembered by the object's identity.

A journey's alerts and rule groups are derived from the journey alone, and a build asks for them from
every emitter (rules, runbook, impact map, rule tests: 15 times for the purchase journey), each time
building every rule again. The models are frozen, so the answer for the same object is the same; the
object is kept with its answer so its id cannot be reused by another while remembered.
"""

from __future__ import annotations

import functools
from typing import Callable, Sequence, TypeVar

S = TypeVar("S")
T = TypeVar("T")

RECENT = 8  # objects remembered per function (a fleet build emits its journeys one after the other)


def per_object(function: Callable[[S], Sequence[T]]) -> Callable[[S], list[T]]:
    """function(subject), computed once per subject object; each call gets a list of its own."""
    recent: dict[int, tuple[S, tuple[T, ...]]] = {}

    @functools.wraps(function)
    def remembered(subject: S) -> list[T]:
        known = recent.get(id(subject))
        if known is None or known[0] is not subject:
            if len(recent) >= RECENT:
                recent.clear()
            known = recent[id(subject)] = (subject, tuple(function(subject)))
        return list(known[1])

    return remembered
