"""The per-journey emit step of a build on a few processes.

Emitting is pure CPU in Python (the rule-test simulator most of all) and each journey's files
depend on that journey's model alone, so journeys spread over processes give the same bytes as
one after the other (tests/build/test_emit_pool.py builds specs both ways and compares).
A fleet of a few journeys is split by what is emitted instead: one forked process emits the costly
part of every journey (the rule tests) while this one emits the rest, and loads what only the rest
needs (grafanalib) meanwhile.

Workers are forked: they inherit the resolved models instead of receiving them pickled, and only
the emitted text comes back, in the fleet's order. They ignore Ctrl-C: the build's own process gets
it, stops them and exits before the writer publishes anything, as a serial build does. Where no process
can be started (a container's process limit), everything is emitted in the build's own.
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

# Below this many journeys a pool costs more than it saves; the rule tests beside (_beside) save more.
MIN_JOURNEYS = 4
MAX_WORKERS = 2
WORKERS_ENV = "OBSGEN_EMIT_WORKERS"  # 1 forces the serial build (benchmarks and the identity test)

Emit = Callable[[Journey], list[Artifact]]

# What the forked workers emit: (journeys, emit, Prometheus generation), set only while a pool runs.
_work: tuple[Sequence[Journey], Emit, int] | None = None


def workers_for(journeys: int) -> int:
    configured = _configured()
    if configured is not None:
        return min(configured, journeys)
    if journeys < MIN_JOURNEYS or not _forks():
        return 1
    return max(1, min(MAX_WORKERS, len(os.sched_getaffinity(0)), journeys))


def _configured() -> int | None:
    configured = os.environ.get(WORKERS_ENV, "").strip()
    return int(configured) if configured.isdigit() and int(configured) > 0 else None


def _forks() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _second_core() -> bool:
    return _configured() != 1 and _forks() and len(os.sched_getaffinity(0)) > 1


def emit_journeys(journeys: Sequence[Journey], emit: Emit, apart: Emit = lambda journey: [],
                  prepare: Callable[[], object] = lambda: None) -> list[list[Artifact]]:
    """emit(journey) + apart(journey) for every journey, in order: on a pool when the fleet is large enough,
    else, when there is a second core, apart on a forked process while this one runs emit. prepare(): loads
    what emit imports late (grafanalib), here before a pool forks (its workers inherit it) or while apart runs."""
    workers = workers_for(len(journeys))
    split = _beside(journeys, emit, apart, prepare) if workers < 2 and _second_core() else None
    if split is not None:
        return split
    prepare()
    both = lambda journey: emit(journey) + apart(journey)  # noqa: E731
    pooled = _pooled(journeys, both, workers) if workers > 1 else None
    return pooled if pooled is not None else _one_after_another(journeys, both)


def _pooled(journeys: Sequence[Journey], emit: Emit, workers: int) -> list[list[Artifact]] | None:
    """emit on every journey on a pool of forked workers (None when no process can be started)."""
    global _work
    _work = (journeys, emit, generation.current())
    try:
        try:
            pool = multiprocessing.get_context("fork").Pool(workers, initializer=_ignore_interrupts)
        except OSError:  # no process to be had (a container's process limit, memory): all of it is emitted here
            return None
        with pool:
            received: list[list[Artifact]] = []
            for output in pool.imap(_emit_one, range(len(journeys)), chunksize=1):
                received.append(output)
                gc.freeze()  # unpickled here, it holds no garbage: out of the collector's passes (_one_after_another)
            return received
    finally:
        _work = None


def _one_after_another(journeys: Sequence[Journey], emit: Emit) -> list[list[Artifact]]:
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


def _beside(journeys: Sequence[Journey], emit: Emit, apart: Emit,
            prepare: Callable[[], object]) -> list[list[Artifact]] | None:
    """prepare() and emit here while a forked process runs apart on every journey (None when no process can be
    started). When that process fails, apart runs here after all, so an error is raised (or a bug's traceback
    shown) as a serial build would."""
    receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(
        target=_send_apart, args=(sender, journeys, apart, generation.current()), daemon=True)
    try:
        process.start()
    except OSError:  # no process to be had (a container's process limit, memory): all of it is emitted here
        receiver.close()
        sender.close()
        return None
    sender.close()
    try:
        prepare()
        here = _one_after_another(journeys, emit)
        try:
            received = receiver.recv()
            gc.freeze()  # as a pool's output (emit_journeys)
        except EOFError:  # the process ended without sending: it failed
            received = [apart(journey) for journey in journeys]
    finally:
        receiver.close()
        if process.is_alive():
            process.terminate()
        process.join()
    return [mine + theirs for mine, theirs in zip(here, received)]


def _send_apart(sender, journeys: Sequence[Journey], apart: Emit, target: int) -> None:
    _ignore_interrupts()
    try:
        with generation.targeting(target):
            sender.send([apart(journey) for journey in journeys])
    except BaseException:  # noqa: B036 - the build's own process runs apart again and reports what fails there
        pass


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _emit_one(index: int) -> list[Artifact]:
    journeys, emit, target = _work
    with generation.targeting(target):
        return emit(journeys[index])
