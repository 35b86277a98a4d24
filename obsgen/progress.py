"""Progress lines on stderr for what takes more than a second (a build, rule tests, verify, a drill).

One line per step, prefixed with the seconds since the command started: plain lines rather than a
redrawn bar, so a forced `--progress` reads the same in a CI log as in a terminal. Off unless a
command turns it on: library callers (and tests calling the pipeline) print nothing. The CLI's
default is "auto": on when stderr is a terminal, so piped and CI output stays clean. The options that
set the mode are obsgen.cli.progress's.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Iterator

AUTO, ON, OFF = "auto", "on", "off"

_mode = OFF
_started = time.monotonic()


def configure(mode: str) -> None:
    """Set the mode and restart the clock the lines count from."""
    global _mode, _started
    if mode not in (AUTO, ON, OFF):
        raise ValueError(f"progress mode {mode!r}")
    _mode = mode
    _started = time.monotonic()


def enabled() -> bool:
    if _mode == AUTO:
        return sys.stderr.isatty()
    return _mode == ON


def step(message: str) -> None:
    """`[  12.3s] message` on stderr, when progress is on."""
    if enabled():
        print(f"[{time.monotonic() - _started:7.1f}s] {message}", file=sys.stderr, flush=True)


@contextmanager
def phase(message: str) -> Iterator[None]:
    """A step that reports its own duration when it ends (for the long ones: validation, tests)."""
    began = time.monotonic()
    step(message)
    yield
    step(f"{message}: done in {time.monotonic() - began:.1f}s")
