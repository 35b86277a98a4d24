"""`obsgen verify`: argument parsing and output; the checks live in obsgen.verify.run."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from obsgen.artifacts.layout import OUT_DIR
from obsgen.cli.params import duration_seconds
from obsgen.cli.progress_options import progress_options
from obsgen.errors import ObsgenError
from obsgen.promql import format_duration
from obsgen.verify.report import render_json, render_table
from obsgen.verify.run import DEFAULT_WINDOW_SECONDS, verify as run_verify


@click.command()
@click.argument("spec", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--prometheus", "prometheus_url", required=True, metavar="URL",
              help="Prometheus that scrapes the system and loaded the generated rules, e.g. http://127.0.0.1:9090.")
@click.option("--alertmanager", "alertmanager_url", metavar="URL",
              help="Also check that this Alertmanager runs the generated receivers and inhibit rules.")
@click.option("--window", default=format_duration(DEFAULT_WINDOW_SECONDS), show_default=True, callback=duration_seconds,
              help="How far back series must exist and panels must have data (run traffic first).")
@click.option("--format", "output_format", default="table", show_default=True, type=click.Choice(["table", "json"]))
@click.option("--generated", "generated_dir", default=OUT_DIR, show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="The build output the stack loads: SPEC is rebuilt with the journeys built together with it there.")
@progress_options
def verify(spec: Path, prometheus_url: str, alertmanager_url: str | None, window: float, output_format: str,
           generated_dir: Path) -> None:
    """Prove SPEC's generated rules and dashboard on a live Prometheus: every metric and label they
    read exists, every rule group evaluates cleanly, every panel query returns data, and what each
    costs. Exit 1 when anything falls short."""
    try:
        report = run_verify(spec, prometheus_url, alertmanager_url, window, generated_dir)
    except ObsgenError as error:
        # 2: could not verify at all (bad spec, Prometheus unreachable); 1 is kept for "verified, falls short".
        click.echo(f"obsgen verify: {error}", err=True)
        sys.exit(2)
    click.echo(render_json(report) if output_format == "json" else render_table(report), nl=False)
    sys.exit(0 if report.ok else 1)
