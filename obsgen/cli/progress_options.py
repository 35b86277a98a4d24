"""-q/--quiet and --progress: the command line's switches for obsgen.progress."""

from __future__ import annotations

import click

from obsgen import progress


def _set(mode: str):
    def callback(_ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if value:
            progress.configure(mode)
    return callback


def progress_options(command):
    """-q/--quiet and --progress, on the `obsgen` group and on each long-running command (so both
    `obsgen -q build` and `obsgen build -q` work). The last one given wins."""
    command = click.option("--progress", "_progress", is_flag=True, expose_value=False, callback=_set(progress.ON),
                           help="Print progress on stderr even when it is not a terminal (CI logs, tests).")(command)
    return click.option("-q", "--quiet", "_quiet", is_flag=True, expose_value=False, callback=_set(progress.OFF),
                        help="No progress lines on stderr (results and errors are still printed).")(command)
