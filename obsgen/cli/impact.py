"""`obsgen impact`: argument parsing and output; the map is obsgen.artifacts.impact's."""

from __future__ import annotations

from pathlib import Path

import click

from obsgen.build.impact_query import render
from obsgen.cli.errors import fail
from obsgen.errors import ObsgenError


@click.command()
@click.argument("spec", type=click.Path(path_type=Path))
@click.argument("dependency", required=False)
@click.option("--format", "output_format", default="text", show_default=True,
              type=click.Choice(["text", "yaml", "json", "mermaid", "dot", "svg"]))
def impact(spec: Path, dependency: str | None, output_format: str) -> None:
    """What breaks when DEPENDENCY fails (every dependency when omitted): stages, features, SLOs, alerts, metrics."""
    try:
        click.echo(render(spec, dependency, output_format), nl=False)
    except ObsgenError as error:
        fail(error)
