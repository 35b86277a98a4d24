"""Results of pure functions of one model object, remembered by the object's identity.

A journey's alerts, rule groups and impact map are derived from the journey alone, and a build asks for
them from every emitter (rules, runbook, impact map, dashboards, Alertmanager, rule tests: `all_alerts` 15
times for the purchase journey), each time building them again. The models are frozen, so the answer for
the same object is the same; the object is kept with its answer so its id cannot be reused by another
while remembered.
"""

from __future__ import annotations

import functools
from typing import Callable, Sequence, TypeVar

S = TypeVar("S")
T = TypeVar("T")

RECENT = 8  # objects remembered per function (a fleet build emits its journeys one after the other)


def per_object(function: Callable[[S], T]) -> Callable[[S], T]:
    """function(subject), computed once per subject object. Every caller gets the same answer: for
    answers nobody can change (frozen dataclasses, tuples); lists go through per_object_list."""
    recent: dict[int, tuple[S, T]] = {}

    @functools.wraps(function)
    def remembered(subject: S) -> T:
        known = recent.get(id(subject))
        if known is None or known[0] is not subject:
            if len(recent) >= RECENT:
                recent.clear()
            known = recent[id(subject)] = (subject, function(subject))
        return known[1]

    return remembered


def per_object_list(function: Callable[[S], Sequence[T]]) -> Callable[[S], list[T]]:
    """per_object for a function returning a list: each call gets a list of its own."""
    remembered = per_object(lambda subject: tuple(function(subject)))

    @functools.wraps(function)
    def fresh(subject: S) -> list[T]:
        return list(remembered(subject))

    return fresh
