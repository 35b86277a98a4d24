"""`obsgen push`: dashboards to Grafana over its HTTP API, token from $GRAFANA_TOKEN."""

from __future__ import annotations

from pathlib import Path

import click

from obsgen.cli.errors import fail
from obsgen.clients.grafana import GrafanaClient, token_from_environment
from obsgen.errors import ObsgenError
from obsgen.push.deliver import deliveries, folder_uid, push_journey
from obsgen.spec.files import spec_files


@click.command()
@click.argument("specs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--grafana-url", required=True, help="Base URL of Grafana, e.g. https://grafana.example.com "
                                                    "(the token comes from $GRAFANA_TOKEN only).")
@click.option("--no-overwrite", is_flag=True,
              help="Only create: refuse to replace a dashboard that exists with other content.")
@click.option("--timeout", default=10.0, show_default=True, help="Seconds to wait for each answer.")
@click.option("--index", is_flag=True, help="Also push the index dashboard of SPECS built together (folder 'Journeys').")
def push(specs: tuple[Path, ...], grafana_url: str, no_overwrite: bool, timeout: float, index: bool) -> None:
    """Push the dashboards of SPECS into one Grafana folder per journey; unchanged ones are left alone."""
    try:
        client = GrafanaClient(grafana_url, token_from_environment(), timeout=timeout)
        for journey, dashboards in deliveries(spec_files(specs), index=index):
            report(client, journey, push_journey(client, journey, dashboards, overwrite=not no_overwrite))
    except ObsgenError as error:
        fail(error)


def report(client, journey, outcome) -> None:
    folder_action, results = outcome
    click.echo(f"{journey.name}: folder {folder_uid(journey)} {folder_action}")
    for result in results:
        version = f" (version {result.version})" if result.version is not None else ""
        click.echo(f"{journey.name}: dashboard {result.uid} {result.title!r}: {result.action}{version}"
                   f"{' ' + client.base_url + result.url if result.url else ''}")
