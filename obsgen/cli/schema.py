"""`obsgen schema`: the journey spec's JSON Schema on standard output."""

from __future__ import annotations

import click

from obsgen.spec.schema import schema_json


@click.command()
def schema() -> None:
    """Print the JSON Schema of the journey spec (for yaml-language-server and editors)."""
    click.echo(schema_json(), nl=False)
