"""Command-line entry point: the root group. Each command is a module of this package, imported only
when run; commands only parse arguments, call the package that does the work and report."""

from __future__ import annotations

import atexit
import importlib
import os
import sys

import click

from obsgen import __version__, imports, progress
from obsgen.checkout import REPO_ROOT_ENV, lab_importable
from obsgen.cli.errors import fail, internal_error, output_closed
from obsgen.cli.progress_options import progress_options
from obsgen.errors import ObsgenError

DEBUG_ENV = "OBSGEN_DEBUG"

# Commands that live with their concern, imported only when run: `obsgen lint` need not load
# the stack runner, and `obsgen --version` loads no command at all.
LAZY_COMMANDS = {
    "build": "obsgen.cli.build:build",
    "diff": "obsgen.cli.diff:diff",
    "drill": "obsgen.cli.drill:drill",
    "impact": "obsgen.cli.impact:impact",
    "import": "obsgen.cli.importers:import_group",
    "lint": "obsgen.cli.lint:lint",
    "push": "obsgen.cli.push:push",
    "schema": "obsgen.cli.schema:schema",
    "stack": "obsgen.cli.stack:stack",
    "test": "obsgen.cli.test:rule_test",
    "verify": "obsgen.cli.verify:verify",
}
# The demo lab (lab/, running the stack/ assets) is in a source checkout only, not in the installed package.
CHECKOUT_COMMANDS = {"drill", "stack"}
# Commands that only read specs and write files, whose process ends without freeing its objects (quick_exit).
QUICK_EXIT_COMMANDS = {"build", "lint", "test"}


class LazyGroup(click.Group):
    """click's documented lazy-loading group."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(LAZY_COMMANDS))

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # The command line's default, before -q/--progress (of the group or the command) change it.
        progress.configure(progress.AUTO)
        return super().parse_args(ctx, args)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in CHECKOUT_COMMANDS and (needs := checkout_missing(name)):
            return needs
        if name in LAZY_COMMANDS:
            module, attr = LAZY_COMMANDS[name].split(":")
            with imports.unwatched():  # a command's module imports what it runs, the heavy part of starting it
                return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)

    invoked: str | None = None  # the command that ran (run() reads it)

    def invoke(self, ctx: click.Context):
        """Errors a user can cause are ObsgenErrors (one line, exit 1 or 2) or click's usage errors;
        anything else is a bug in obsgen: one line asking for a report, the traceback only with --debug."""
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except ObsgenError as error:
            fail(error)
        except BrokenPipeError:
            output_closed()
        except Exception as error:  # noqa: BLE001 - the last line of defence before a traceback
            internal_error(error, debug=ctx.params.get("debug", False))
        finally:
            self.invoked = ctx.invoked_subcommand


def checkout_missing(name: str) -> click.Command | None:
    """A stand-in that says, in one line, that `name` needs a checkout, when none is found."""
    if not lab_importable():
        message = (f"obsgen {name}: the demo lab runs from an obsgen source checkout (its lab/ and stack/ "
                   f"directories), not from an installed package: run it in a clone, or set {REPO_ROOT_ENV} to one")

        @click.command(name, help=message, context_settings={"ignore_unknown_options": True,
                                                             "allow_extra_args": True, "help_option_names": []})
        def needs_checkout() -> None:
            click.echo(message, err=True)
            sys.exit(2)

        return needs_checkout
    return None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="obsgen")
@progress_options
@click.option("--debug", is_flag=True, envvar=DEBUG_ENV,
              help=f"On an internal error (a bug in obsgen), print its traceback (also ${DEBUG_ENV}=1).")
def main(debug: bool) -> None:
    """Compile user-journey specs into Prometheus rules, Grafana dashboards and impact maps."""


def run() -> None:
    """The `obsgen` program (and `python -m obsgen`): main, ended by quick_exit after the commands that only
    compute and write files. Tests call main itself (click's CliRunner), which always returns."""
    main.invoked = None
    try:
        main(prog_name="obsgen")
    except SystemExit as exit:
        if main.invoked in QUICK_EXIT_COMMANDS and (exit.code is None or isinstance(exit.code, int)):
            quick_exit(exit.code or 0)
        raise


def quick_exit(code: int) -> None:
    """End the process without freeing its objects one by one: a build leaves millions of them (its worlds,
    columns and outputs), and the interpreter's teardown took about 0.13 s of a 0.7 s one-journey build
    (BENCHMARKS.md, "Ending the process without tearing it down"). What else a normal exit does is done
    first: the atexit functions (temporary directories' finalizers among them), then the standard streams
    flushed; a reader that closed the pipe early gets what was written, as on a normal exit."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe, or a closed stream: nothing more to say to it
            pass
    os._exit(code)
