"""`obsgen drill`: argument parsing and output; the drill itself is lab.drill.runner."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from lab.drill.report import render_json, render_text
from lab.drill.runner import DEFAULT_RATE, DEFAULT_TIMEOUT_SECONDS, DrillOptions, run_drill
from lab.drill.scale import DEFAULT_FACTOR
from obsgen.checkout import STATE_DIR_ENV
from obsgen.cli.params import duration_seconds
from obsgen.cli.progress_options import progress_options
from obsgen.errors import ObsgenError
from obsgen.promql import format_duration


@click.command()
@click.argument("spec", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("dependency")
@click.option("--state-dir", type=click.Path(file_okay=False, path_type=Path), envvar=STATE_DIR_ENV,
              help=f"State directory of the running native stack (default: .stack/; env {STATE_DIR_ENV}).")
@click.option("--timeout", default=format_duration(DEFAULT_TIMEOUT_SECONDS), show_default=True, callback=duration_seconds,
              help="Longest wait for each step: rules loaded, quiet start, cause firing, resolution "
                   "(resolution waits at least the longest scaled window + the longest `for` + 1m + twice the outage).")
@click.option("--scale", "factor", default=DEFAULT_FACTOR, show_default=True, type=click.FloatRange(min=1),
              help="Drill time scale: divide alert windows and `for` durations by this.")
@click.option("--hold", callback=duration_seconds, help="Keep the failure this long after the cause fired "
                                                  "(default: the longest scaled symptom `for` + 2 shortest windows, at least 2m: "
                   "the application's own retries are not scaled).")
@click.option("--rate", default=DEFAULT_RATE, show_default=True, type=click.FloatRange(min=0.1),
              help="Traffic: shop visits per second (browse, product, checkout), loopback only.")
@click.option("--expect", multiple=True, metavar="ALERT", help="An alert that must fire (repeatable).")
@click.option("--service", help="Stack service to stop (default: derived from the dependency's health job).")
@click.option("--kill", is_flag=True, help="SIGKILL the service (a crash) instead of stopping it cleanly.")
@click.option("--generated", "generated_dir", type=click.Path(file_okay=False, path_type=Path),
              help="The generated/ directory the stack normally loads, reloaded after the drill (default: the checkout's).")
@click.option("--format", "output_format", default="text", show_default=True, type=click.Choice(["text", "json"]))
@progress_options
def drill(spec: Path, dependency: str, state_dir: Path | None, timeout: float, factor: float, hold: float | None,
          rate: float, expect: tuple[str, ...], service: str | None, kill: bool, generated_dir: Path | None,
          output_format: str) -> None:
    """Failure drill on the native stack: stop DEPENDENCY's service under traffic, watch the alerts
    in Prometheus and Alertmanager, restore it, and compare with the impact map. Runs on time-scaled
    copies of the rules. A dependency the journeys of generated/'s fleet share is drilled for all of
    them at once, each judged against its own impact map. Exit 1 when reality differs from an impact
    map, 2 when the drill cannot run."""
    logging.getLogger("lab.stack").setLevel(logging.WARNING)
    options = DrillOptions(scale=factor, timeout=timeout, hold=hold, rate=rate, expect=expect, service=service,
                           kill=kill, generated_dir=generated_dir)
    try:
        result = run_drill(spec, dependency, state_dir, options)
    except ObsgenError as error:
        click.echo(f"obsgen drill: {error}", err=True)
        sys.exit(2)
    click.echo(render_json(result) if output_format == "json" else render_text(result), nl=False)
    sys.exit(0 if result.passed else 1)
