"""`obsgen diff`: what a fresh build changes in rules and dashboards, for pull-request review."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from obsgen.cli.errors import fail
from obsgen.diff.compare import diff_spec
from obsgen.errors import ObsgenError


@click.command()
@click.argument("spec", type=click.Path(path_type=Path))
@click.option("--against", type=click.Path(path_type=Path), default=None,
              help="Built output to compare with: a journey directory or the output root "
                   "[default: generated/<journey>/].")
@click.option("--grafana-url", default=None,
              help="Compare dashboards with those in this Grafana instead (token from $GRAFANA_TOKEN).")
@click.option("--exit-code", is_flag=True, help="Exit 1 when there are differences.")
def diff(spec: Path, against: Path | None, grafana_url: str | None, exit_code: bool) -> None:
    """Show, rule by rule and panel by panel, how a fresh build of SPEC differs from what is committed or deployed."""
    if against is not None and grafana_url is not None:
        raise click.UsageError("give --against or --grafana-url, not both")
    try:
        report = diff_spec(spec, against, grafana_url)
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from None
    except ObsgenError as error:
        fail(error)
    click.echo(report.render(), nl=False)
    if exit_code and report.any:
        sys.exit(1)
