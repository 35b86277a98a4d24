"""Progress lines on stderr for what takes more than a second (a build, rule tests, verify, a drill).

One line per step, prefixed with the seconds since the command started: plain lines rather than a
redrawn bar, so a forced `--progress` reads the same in a CI log as in a terminal. Off unless a
command turns it on: library callers (and tests calling the pipeline) print nothing. The CLI's
default is "auto": on when stderr is a terminal, so piped and CI output stays clean.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Iterator

import click

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
        click.echo(f"[{time.monotonic() - _started:7.1f}s] {message}", err=True)


@contextmanager
def phase(message: str) -> Iterator[None]:
    """A step that reports its own duration when it ends (for the long ones: validation, tests)."""
    began = time.monotonic()
    step(message)
    yield
    step(f"{message}: done in {time.monotonic() - began:.1f}s")


def _set(mode: str):
    def callback(_ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if value:
            configure(mode)
    return callback


def progress_options(command):
    """-q/--quiet and --progress, on the `obsgen` group and on each long-running command (so both
    `obsgen -q build` and `obsgen build -q` work). The last one given wins."""
    command = click.option("--progress", "_progress", is_flag=True, expose_value=False, callback=_set(ON),
                           help="Print progress on stderr even when it is not a terminal (CI logs, tests).")(command)
    return click.option("-q", "--quiet", "_quiet", is_flag=True, expose_value=False, callback=_set(OFF),
                        help="No progress lines on stderr (results and errors are still printed).")(command)
