"""`obsgen push`: dashboards to Grafana over its HTTP API, token from $GRAFANA_TOKEN."""

from __future__ import annotations

from pathlib import Path

import click

from obsgen.errors import ObsgenError


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
    from obsgen.cli import fail, spec_files
    from obsgen.push.client import GrafanaClient, token_from_environment
    from obsgen.push.deliver import emitted_dashboards, index_delivery, push_journey
    from obsgen.build.pipeline import load_in_fleet

    try:
        client = GrafanaClient(grafana_url, token_from_environment(), timeout=timeout)
        files = spec_files(specs)
        # Named as the committed build names them (generated/ under the project): dashboards quote it.
        deliveries = [(journey, emitted_dashboards(journey)) for journey in map(load_in_fleet, files)]
        if index:
            deliveries.append(index_delivery(files))
        for journey, dashboards in deliveries:
            report(client, journey, push_journey(client, journey, dashboards, overwrite=not no_overwrite))
    except ObsgenError as error:
        fail(error)


def report(client, journey, outcome) -> None:
    from obsgen.push.deliver import folder_uid

    folder_action, results = outcome
    click.echo(f"{journey.name}: folder {folder_uid(journey)} {folder_action}")
    for result in results:
        version = f" (version {result.version})" if result.version is not None else ""
        click.echo(f"{journey.name}: dashboard {result.uid} {result.title!r}: {result.action}{version}"
                   f"{' ' + client.base_url + result.url if result.url else ''}")
