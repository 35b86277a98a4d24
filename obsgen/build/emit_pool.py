"""The per-journey emit step of a fleet build on a few processes.

Emitting is pure CPU in Python (the rule-test simulator most of all) and each journey's files
depend on that journey's model alone, so journeys spread over processes give the same bytes as
one after the other (tests/build/test_build_cache.py builds specs/examples/ both ways and compares).
Workers are forked: they inherit the resolved models instead of receiving them pickled, and only
the emitted text comes back, in the fleet's order. They ignore Ctrl-C: the build's own process gets
it, stops the pool and exits before the writer publishes anything, as a serial build does.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from typing import Callable, Sequence

from obsgen.artifacts.base import Artifact
from obsgen.artifacts.ruletests import generation
from obsgen.model import Journey

# Below this many journeys starting the processes costs more than it saves.
MIN_JOURNEYS = 4
MAX_WORKERS = 2
WORKERS_ENV = "OBSGEN_EMIT_WORKERS"  # 1 forces the serial build (benchmarks and the identity test)

# What the forked workers emit: (journeys, emit, Prometheus generation), set only while a pool runs.
_work: tuple[Sequence[Journey], Callable[[Journey], list[Artifact]], int] | None = None


def workers_for(journeys: int) -> int:
    configured = os.environ.get(WORKERS_ENV, "").strip()
    if configured.isdigit() and int(configured) > 0:
        return min(int(configured), journeys)
    if journeys < MIN_JOURNEYS or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(MAX_WORKERS, len(os.sched_getaffinity(0)), journeys))


def emit_journeys(journeys: Sequence[Journey], emit: Callable[[Journey], list[Artifact]]) -> list[list[Artifact]]:
    """emit(journey) for every journey, in order; on a pool when the fleet is large enough."""
    workers = workers_for(len(journeys))
    if workers < 2:
        return _one_after_another(journeys, emit)
    global _work
    _work = (journeys, emit, generation.current())
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_ignore_interrupts) as pool:
            received: list[list[Artifact]] = []
            for output in pool.imap(_emit_one, range(len(journeys)), chunksize=1):
                received.append(output)
                gc.freeze()  # unpickled here, it holds no garbage: out of the collector's passes (_one_after_another)
            return received
    finally:
        _work = None


def _one_after_another(journeys: Sequence[Journey], emit: Callable[[Journey], list[Artifact]]) -> list[list[Artifact]]:
    """emit(journey) for every journey in this process. What an emit leaves alive, its artifacts, stays for the whole
    build, as the models do (obsgen.build.pipeline freezes those): before the next journey, the last one's garbage
    is collected, while it is all the collector has to walk, and what is left frozen, so that later passes do not
    walk every journey's documents again (BENCHMARKS.md, "The collector in a fleet build")."""
    emitted: list[list[Artifact]] = []
    for journey in journeys:
        if emitted:
            gc.collect()
            gc.freeze()
        emitted.append(emit(journey))
    return emitted


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _emit_one(index: int) -> list[Artifact]:
    journeys, emit, target = _work
    with generation.targeting(target):
        return emit(journeys[index])
