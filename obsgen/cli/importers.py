"""``obsgen import``: argument parsing and reporting only; the mapping is in the importer modules."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from obsgen.errors import SpecError
from obsgen.importers.common import ImportResult

EXIT_STRICT = 2  # as for bad input: the source says more than obsgen will write


def _run(importer, file: Path, output: Path | None, strict: bool) -> None:
    try:
        result: ImportResult = importer(file)
    except SpecError as error:
        for diagnostic in error.diagnostics:
            click.echo(str(diagnostic), err=True)
        click.echo(f"obsgen: {len(error.diagnostics)} problem(s); nothing was written", err=True)
        sys.exit(error.exit_code)
    for diagnostic in sorted(result.findings.unmapped):
        click.echo(f"{diagnostic.file}:{diagnostic.line}:{diagnostic.column}: warning: {diagnostic.message}", err=True)
    for note in result.findings.notes:
        click.echo(f"obsgen: note: {note}", err=True)
    if strict and result.findings.unmapped:
        click.echo(f"obsgen: {len(result.findings.unmapped)} field(s) cannot be mapped (--strict); "
                   "nothing was written", err=True)
        sys.exit(EXIT_STRICT)
    if output is None and len(result.specs) > 1:
        click.echo(f"obsgen: {file} holds {len(result.specs)} specs, one journey each: give -o DIRECTORY", err=True)
        sys.exit(EXIT_STRICT)
    if output is None:
        click.echo(result.specs[0].text, nl=False)
        return
    for path in result.write(output):
        click.echo(f"{file} -> {path}", err=True)


_FILE = click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
_OUTPUT = click.option("-o", "--output", type=click.Path(path_type=Path),
                       help="Write the journey spec to this file instead of standard output; to this directory "
                            "(as <journey>.yaml) when the source holds several specs.")
_STRICT = click.option("--strict", is_flag=True,
                       help="Exit 2, writing nothing, when any source field cannot be mapped.")


@click.group("import")
def import_group() -> None:
    """Write an obsgen journey spec from SLOs written for another tool. Source fields that cannot be
    mapped are warnings (file:line:col) on standard error; --strict makes them fatal."""


@import_group.command("sloth")
@_FILE
@_OUTPUT
@_STRICT
def sloth(file: Path, output: Path | None, strict: bool) -> None:
    """FILE: a Sloth spec (version: prometheus/v1) or a Kubernetes PrometheusServiceLevel."""
    from obsgen.importers.sloth import import_sloth

    _run(import_sloth, file, output, strict)


@import_group.command("openslo")
@_FILE
@_OUTPUT
@_STRICT
def openslo(file: Path, output: Path | None, strict: bool) -> None:
    """FILE: OpenSLO v1 documents (SLO, and the SLI documents they refer to) over Prometheus queries."""
    from obsgen.importers.openslo import import_openslo

    _run(import_openslo, file, output, strict)
