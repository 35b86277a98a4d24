"""Command-line entry point. Commands only parse arguments, call the pipeline and report."""

from __future__ import annotations

import importlib
import shlex
import sys
import traceback
from pathlib import Path

import click

from obsgen import __version__, progress
from obsgen.cli_params import prometheus_version_option
from obsgen.errors import INTERNAL_ERROR_EXIT, ObsgenError, SpecError
from obsgen.paths import from_project, shown
from obsgen.targets.cli import target_options

DEBUG_ENV = "OBSGEN_DEBUG"

# Commands that live with their concern, imported only when run: `obsgen lint` need not load
# the stack runner, and `obsgen --help` stays quick.
LAZY_COMMANDS = {
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
@click.argument("specs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", default="generated", show_default=True, type=click.Path(path_type=Path),
              help="Directory that receives one sub-directory per journey.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the committed output differs from a fresh build.")
@click.option("--no-validate", is_flag=True, help="Skip promtool/amtool checks and rule tests (not recommended).")
@click.option("--no-test", is_flag=True, help="Skip the generated promtool rule unit tests (static checks still run).")
@click.option("--no-cache", is_flag=True,  # $OBSGEN_NO_CACHE is read by obsgen.build_cache itself
              help="Do all the work even when the specs, options, obsgen and its tools are those of the build "
                   "that wrote OUT (also $OBSGEN_NO_CACHE=1); see docs/build-output.md.")
@prometheus_version_option
@target_options
@progress.progress_options
def build(specs: tuple[Path, ...], out_dir: Path, check: bool, no_validate: bool, no_test: bool, no_cache: bool,
          prometheus_version: int | None, targets, target_options) -> None:
    """Build SPECS (files or directories) together into OUT/<journey>/ and OUT/_fleet/, validated
    before anything is written: journeys that share a dependency share its alerts."""
    from obsgen import build_cache

    files = spec_files(specs)
    if not files:
        raise click.UsageError("no spec files (*.yaml, *.yml) in " + ", ".join(str(s) for s in specs))
    if no_cache:
        build_cache.disable()
    cached = build_cache.lookup(build_cache.Request(
        tuple(files), out_dir, check, build_cache.validation_level(not no_validate, not no_test),
        targets, target_options, prometheus_version))
    if cached.hit is not None:
        report_cached(cached.hit, out_dir, check)
        return
    from obsgen.pipeline import build_fleet

    try:
        result = build_fleet(files, out_dir, check=check, validate=not no_validate, run_tests=not no_test,
                             targets=targets, target_options=target_options, prometheus_version=prometheus_version,
                             cache=cached)
    except ObsgenError as error:
        fail(error)
    for warning in (w for journey in result.journeys for w in journey.journey.warnings):
        click.echo(str(warning), err=True)
    if check:
        report_check(result)
        return
    for journey in result.journeys:
        click.echo(f"{from_project(journey.journey.source, out_dir)} -> {shown(journey.directory)}/ "
                   f"({len(journey.artifacts)} files; {summary(journey.changes)})")
    shared = ", ".join(d.name for d in result.fleet.shared) or "none"
    click.echo(f"fleet of {len(result.journeys)} -> {shown(result.directory)}/ ({len(result.artifacts)} files; "
               f"{summary(result.changes)}; shared dependencies: {shared})")
    for directory in result.removed:
        click.echo(f"{shown(directory)}/ removed: its spec no longer exists")
    from obsgen.stack.runner import reload_if_serving

    for action in reload_if_serving(out_dir):
        click.echo(f"native stack: {action}")


def report_cached(entry, out_dir: Path, check: bool) -> None:
    """What build or --check says when the output is that of a build recorded with the same inputs."""
    for warning in entry.warnings:
        click.echo(warning, err=True)
    for name, files in entry.outputs.items():
        click.echo(f"{shown(out_dir / name)}: up to date" if check else
                   f"{shown(out_dir / name)}/ ({len(files)} files; up to date)")
    if not check:
        click.echo(f"obsgen: {shown(out_dir)}/ is up to date: built from these specs with these options by this "
                   f"obsgen and the same promtool and amtool (--no-cache rebuilds)")


def summary(changes) -> str:
    return f"{len(changes.added)} added, {len(changes.changed)} changed, {len(changes.removed)} removed"


def report_check(result) -> None:
    stale = result.stale
    for directory, changes in stale:
        for label, paths in (("missing", changes.added), ("stale", changes.changed), ("extra", changes.removed)):
            for path in paths:
                click.echo(f"{shown(directory / path)}: {label}", err=True)
    for directory in [r.directory for r in result.journeys] + [result.directory]:
        if directory not in {d for d, _ in stale}:
            click.echo(f"{shown(directory)}: up to date")
    if stale:
        click.echo("obsgen: generated output is stale; run `obsgen build` and commit the result", err=True)
        sys.exit(1)


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
    from obsgen.impact.query import render

    try:
        click.echo(render(spec, dependency, output_format), nl=False)
    except ObsgenError as error:
        fail(error)
