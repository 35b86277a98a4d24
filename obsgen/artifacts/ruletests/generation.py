"""Which Prometheus generation the generated rule tests are written for.

The generations evaluate the same rules differently at the edges, and promtool compares the
tests' expected values exactly, so the simulator must copy the maths of the promtool that runs
them:

- Prometheus 3 made range selectors and the lookback delta left-open: ``x[5m]`` at t holds the
  samples in (t - 5m, t], where 2.x took [t - 5m, t]. With one sample a minute a 5m rate sees 5
  samples, not 6, and a series stops being visible 5m after its last sample, not 5m + 1 step.
- rate()'s extrapolation (promql/functions.go extrapolatedRate) caps the distance to the start
  of the range at half a sample interval *before* it clamps it at the counter's zero point in
  3.x, and after it in 2.x.
- The sum() aggregation compensates rounding (Kahan-Neumaier) in 3.x and adds plainly in 2.x;
  sum_over_time compensates in both.

Every range reads the generation's range, ranges over series the rules record themselves
(time-slice indicators, the 5m ratio a period ratio averages) included: at one evaluation a
minute, x[5m] over a recorded series holds 6 evaluations in 2.x and 5 in 3.x.

The target is the one a command names (``--prometheus-version``), else 3, the primary target:
never the local promtool's, so the same spec gives the same bytes on every machine. When the
promtool that validates a build is of the other generation, the tests it runs are written for its
generation into a scratch copy (obsgen.artifacts.ruletests.emit), and the published ones stay the target's.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator
from contextvars import ContextVar

from obsgen.errors import ObsgenError
from obsgen.tools import promtool

GENERATIONS = (2, 3)
PRIMARY = 3

_chosen: ContextVar[int | None] = ContextVar("obsgen_prometheus_generation", default=None)


class UnknownGeneration(ObsgenError, ValueError):
    """A Prometheus version obsgen has no range semantics for."""

    exit_code = 2


def of_version(version: str) -> int:
    """The generation of a Prometheus/promtool version string: ``2.42.0+ds`` is 2, ``3.16.0`` is 3."""
    match = re.match(r"v?(\d+)\.", version.strip())
    if not match or int(match.group(1)) not in GENERATIONS:
        raise UnknownGeneration(f"Prometheus version {version!r} is not one of the generations obsgen "
                                f"writes rule tests for ({', '.join(map(str, GENERATIONS))})")
    return int(match.group(1))


def detected() -> int:
    """The generation of the promtool obsgen runs; the primary target when there is none."""
    try:
        binary = promtool.find_promtool()
    except promtool.PromtoolNotFound:
        return PRIMARY
    return _generation_of_binary(binary)


@functools.cache
def _generation_of_binary(binary: str) -> int:
    return of_version(promtool.version())


def current() -> int:
    """The generation the rule tests being written now are for."""
    return _chosen.get() or PRIMARY


@contextlib.contextmanager
def targeting(generation: int | None) -> Iterator[int]:
    """Write rule tests for `generation` (None: the primary target) inside the block."""
    if generation is not None and generation not in GENERATIONS:
        raise UnknownGeneration(f"--prometheus-version must be one of {', '.join(map(str, GENERATIONS))}")
    token = _chosen.set(generation or PRIMARY)
    try:
        yield _chosen.get()
    finally:
        _chosen.reset(token)


def left_open(generation: int) -> bool:
    """Whether ranges and the lookback delta exclude their oldest instant."""
    return generation >= 3
