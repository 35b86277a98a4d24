"""`obsgen build`, loaded only when run: its options name the delivery targets, whose modules
`obsgen --version` and the other commands need not import."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from obsgen import imports
from obsgen.artifacts.layout import OUT_DIR
from obsgen.checkout import default_state_dir, lab_importable
from obsgen.cli.params import prometheus_version_option
from obsgen.cli.progress_options import progress_options
from obsgen.cli.targets import target_options
from obsgen.paths import from_project, shown
from obsgen.spec.files import spec_files


@click.command()
@click.argument("specs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path),
              help="Directory that receives one sub-directory per journey (default: the directory under "
                   f"{OUT_DIR}/ these specs were built into before, else {OUT_DIR}/).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the committed output differs from a fresh build.")
@click.option("--no-validate", is_flag=True, help="Skip promtool/amtool checks and rule tests (not recommended).")
@click.option("--no-test", is_flag=True, help="Skip the generated promtool rule unit tests (static checks still run).")
@click.option("--no-cache", is_flag=True,  # $OBSGEN_NO_CACHE is read by obsgen.build.cache itself
              help="Do all the work even when the specs, options, obsgen and its tools are those of the build "
                   "that wrote OUT (also $OBSGEN_NO_CACHE=1); see docs/build-output.md.")
@prometheus_version_option
@target_options
@progress_options
def build(specs: tuple[Path, ...], out_dir: Path | None, check: bool, no_validate: bool, no_test: bool, no_cache: bool,
          prometheus_version: int | None, targets, target_options) -> None:
    """Build SPECS (files or directories) together into OUT/<journey>/ and OUT/_fleet/, validated
    before anything is written: journeys that share a dependency share its alerts."""
    from obsgen.build import cache as build_cache

    files = spec_files(specs)
    if not files:
        raise click.UsageError("no spec files (*.yaml, *.yml) in " + ", ".join(str(s) for s in specs))
    from obsgen.build.membership import output_dir

    out_dir = output_dir(files, out_dir)
    if no_cache:
        build_cache.disable()
    cached = build_cache.lookup(build_cache.Request(
        tuple(files), out_dir, check, build_cache.validation_level(not no_validate, not no_test),
        targets, target_options, prometheus_version))
    if cached.hit is not None:
        report_cached(cached.hit, out_dir, check)
        return
    with imports.unwatched():
        from obsgen.build.pipeline import build_fleet

    # An ObsgenError reaches the group, which reports it in one line (LazyGroup.invoke in obsgen/cli/__init__.py).
    result = build_fleet(files, out_dir, check=check, validate=not no_validate, run_tests=not no_test,
                         targets=targets, target_options=target_options, prometheus_version=prometheus_version,
                         cache=cached)
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
    reload_native_stack(out_dir)


def reload_native_stack(out_dir: Path) -> None:
    """Reload the native stack when it serves out_dir. Without its state directory there is none
    running, and the stack runner (~0.2 s to import) stays unloaded; without a checkout there is no lab."""
    if default_state_dir().is_dir() and lab_importable():
        # `stack`'s module holds what touches the lab (lazily, as the group loads it): obsgen imports no lab.
        from obsgen.cli.stack import reload_if_serving

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
