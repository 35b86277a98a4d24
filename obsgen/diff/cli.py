"""`obsgen diff`: what a fresh build changes in rules and dashboards, for pull-request review."""

from __future__ import annotations

import sys
from pathlib import Path

import click

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
    from obsgen.cli import fail
    from obsgen.diff.report import diff_inputs
    from obsgen.diff.sources import from_built_directory, from_grafana
    from obsgen.build.pipeline import emit_all, load_in_fleet
    from obsgen.targets.inputs import from_artifacts

    if against is not None and grafana_url is not None:
        raise click.UsageError("give --against or --grafana-url, not both")
    try:
        directory = against if against is not None else Path("generated")
        # Build the spec as `obsgen build --out <out_dir>` did: named the same (headers and dashboard
        # texts quote it) and with the journeys it was built together with.
        out_dir = directory.parent if (directory / "prometheus").is_dir() else directory
        journey = load_in_fleet(spec, out_dir)
        new = from_artifacts(emit_all(journey))
        if grafana_url is not None:
            from obsgen.push.client import GrafanaClient, token_from_environment

            client = GrafanaClient(grafana_url, token_from_environment())
            report = diff_inputs(from_grafana(client, new), new, old_label=client.base_url, compare_rules=False)
        else:
            try:
                old = from_built_directory(directory, journey)
            except FileNotFoundError as error:
                raise click.ClickException(str(error)) from None
            report = diff_inputs(old, new, old_label=str(directory))
    except ObsgenError as error:
        fail(error)
    click.echo(report.render(), nl=False)
    if exit_code and report.any:
        sys.exit(1)
