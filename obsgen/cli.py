"""Command-line entry point. Commands only parse arguments, call the pipeline and report."""

from __future__ import annotations

import importlib
import shlex
import sys
import traceback
from pathlib import Path

import click

from obsgen import __version__, progress
from obsgen.errors import INTERNAL_ERROR_EXIT, ObsgenError, SpecError

DEBUG_ENV = "OBSGEN_DEBUG"

# Commands that live with their concern, imported only when run: `obsgen lint` need not load
# the stack runner, and `obsgen --version` loads no command at all.
LAZY_COMMANDS = {
    "build": "obsgen.cli_build:build",
    "diff": "obsgen.diff.cli:diff",
    "drill": "obsgen.drill.cli:drill",
    "import": "obsgen.importers.cli:import_group",
    "lint": "obsgen.lint.cli:lint",
    "push": "obsgen.push.cli:push",
    "stack": "obsgen.stack.cli:stack",
    "test": "obsgen.ruletests.cli:rule_test",
    "verify": "obsgen.verify.cli:verify",
}
# The demo lab runs the stack/ assets of a source checkout, which an installed wheel lacks.
CHECKOUT_COMMANDS = {"drill", "stack"}


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
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        """Errors a user can cause are ObsgenErrors (one line, exit 1 or 2) or click's usage errors;
        anything else is a bug in obsgen: one line asking for a report, the traceback only with --debug."""
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except ObsgenError as error:
            fail(error)
        except Exception as error:  # noqa: BLE001 - the last line of defence before a traceback
            internal_error(error, debug=ctx.params.get("debug", False))


def checkout_missing(name: str) -> click.Command | None:
    """A stand-in that says, in one line, that `name` needs a checkout, when none is found."""
    from obsgen.stack.layout import REPO_ROOT_ENV, CheckoutNotFound, find_repo_root

    try:
        find_repo_root()
    except CheckoutNotFound:
        message = (f"obsgen {name}: the demo lab runs from an obsgen source checkout (its stack/ directory), "
                   f"not from an installed package: run it in a clone, or set {REPO_ROOT_ENV} to one")

        @click.command(name, help=message, context_settings={"ignore_unknown_options": True,
                                                             "allow_extra_args": True, "help_option_names": []})
        def needs_checkout() -> None:
            click.echo(message, err=True)
            sys.exit(2)

        return needs_checkout
    return None


def spec_files(paths: tuple[Path, ...]) -> list[Path]:
    """Spec files named directly, or every *.yaml/*.yml in a named directory."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        else:
            files.append(path)
    return files


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


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="obsgen")
@progress.progress_options
@click.option("--debug", is_flag=True, envvar=DEBUG_ENV,
              help=f"On an internal error (a bug in obsgen), print its traceback (also ${DEBUG_ENV}=1).")
def main(debug: bool) -> None:
    """Compile user-journey specs into Prometheus rules, Grafana dashboards and impact maps."""


@main.command()
def schema() -> None:
    """Print the JSON Schema of the journey spec (for yaml-language-server and editors)."""
    from obsgen.spec.schema import schema_json

    click.echo(schema_json(), nl=False)


@main.command()
@click.argument("spec", type=click.Path(path_type=Path))
@click.argument("dependency", required=False)
@click.option("--format", "output_format", default="text", show_default=True,
              type=click.Choice(["text", "yaml", "json", "mermaid", "dot", "svg"]))
def impact(spec: Path, dependency: str | None, output_format: str) -> None:
    """What breaks when DEPENDENCY fails (every dependency when omitted): stages, features, SLOs, alerts, metrics."""
    from obsgen.build.impact_query import render

    try:
        click.echo(render(spec, dependency, output_format), nl=False)
    except ObsgenError as error:
        fail(error)
