"""How a command reports an error: an ObsgenError in one line (or one per spec problem), a bug in obsgen
as one line asking for a report, its traceback only with --debug."""

from __future__ import annotations

import os
import shlex
import sys
import traceback

import click

from obsgen import __version__
from obsgen.errors import CLOSED_OUTPUT_EXIT, INTERNAL_ERROR_EXIT, ObsgenError, SpecError


def fail(error: ObsgenError) -> None:
    if isinstance(error, SpecError):
        for diagnostic in error.diagnostics:
            click.echo(f"{diagnostic}", err=True)
        click.echo(f"obsgen: {len(error.diagnostics)} problem(s) in the spec; nothing was written", err=True)
    else:
        click.echo(f"obsgen: {error}", err=True)
    sys.exit(error.exit_code)


def internal_error(error: Exception, *, debug: bool) -> None:
    if debug:
        traceback.print_exception(error)
    command = shlex.join(["obsgen", "--debug", *[a for a in sys.argv[1:] if a != "--debug"]])
    reason = f"{type(error).__name__}: {error}".splitlines()[0] if str(error) else type(error).__name__
    click.echo(f"obsgen {__version__}: internal error ({reason}); this is a bug in obsgen, not in your input: "
               f"please report it to obsgen's maintainers with the output of `{command}`", err=True)
    sys.exit(INTERNAL_ERROR_EXIT)


def output_closed() -> None:
    """The reader of stdout went away: stop without a word. stdout then points at /dev/null, so that
    flushing what is left of it as the process ends fails no more (Python's "Note on SIGPIPE")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # a stdout without a file descriptor (captured in process): nothing to point
        pass
    sys.exit(CLOSED_OUTPUT_EXIT)
