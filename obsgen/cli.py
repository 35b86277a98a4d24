"""Command-line entry point. Commands only parse arguments and call into the pipeline."""

from __future__ import annotations

import click

from obsgen import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="obsgen")
def main() -> None:
    """Compile user-journey specs into Prometheus rules, Grafana dashboards and impact maps."""
