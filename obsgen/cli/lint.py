"""``obsgen lint``: argument parsing only; the work is in ``runner`` and ``output``."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import click

from obsgen.lint.config import ConfigError, discover, settings
from obsgen.lint.finding import SEVERITIES
from obsgen.lint.metadata import MetadataError, fetch
from obsgen.lint.metric_types import NOTHING_KNOWN
from obsgen.lint.output import FORMATS, render
from obsgen.lint.runner import ALL_CHECKS, EXIT_ERROR, LintUsageError, lint_paths
from obsgen.promql import parse_duration
from obsgen.tools.promtool import PromtoolError, PromtoolNotFound


def _duration(ctx, param, value: str) -> timedelta:
    try:
        duration = timedelta(seconds=parse_duration(value))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a Prometheus duration (e.g. 15s, 1m)") from None
    if duration.total_seconds() <= 0:
        raise click.BadParameter("must be positive")
    return duration


@click.command("lint")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--disable", multiple=True, metavar="CHECK", help="Skip a check (repeatable). See --list-checks.")
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    help="Exit 1 when a finding is this severe or more (error > warning > info > note). "
    "Default: the config file's, else warning.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="obsgen.yaml or pyproject.toml to read the lint section of. "
    "Default: the nearest one found walking up from the current directory.",
)
@click.option(
    "--scrape-interval", default="15s", show_default=True, callback=_duration, help="For the promql/range check."
)
@click.option(
    "--prometheus",
    metavar="URL",
    help="Read metric types (# TYPE counter/gauge/histogram/summary) from this Prometheus' /api/v1/metadata, "
    "so promql/rate and dashboard/counter-rate judge series by type. Without it, series of unknown type "
    "get notes, never failures.",
)
@click.option("--list-checks", is_flag=True, help="Print every check id with its severity and exit.")
def lint(files, output_format, disable, fail_on, config_path, scrape_interval, prometheus, list_checks):
    """Lint Prometheus rule files (plain, PrometheusRule, Mimir/Cortex, Thanos) and Grafana dashboard
    JSON, each detected by content. With no FILE, lint the config file's paths.

    Exit 0 when clean or when every finding is less severe than --fail-on
    (by default only notes, what a check cannot decide, e.g. a metric of
    unknown type), 1 otherwise, 2 on usage, config or parse errors or an
    unreachable --prometheus.
    """
    if list_checks:
        click.echo("".join(f"{c.id}\t{c.severity}\t{c.summary}\n" for c in ALL_CHECKS), nl=False)
        return
    try:
        run = settings(discover(config_path), files, disable, fail_on)
    except ConfigError as error:
        click.echo(str(error), err=True)
        sys.exit(EXIT_ERROR)
    if not run.files:
        raise click.UsageError("no FILE given, and no paths in a config file")
    try:
        metric_types = fetch(prometheus) if prometheus else NOTHING_KNOWN
        report = lint_paths(run.files, disabled=run.disabled, scrape_interval=scrape_interval,
                            metric_types=metric_types, severity=run.severity, fail_on=run.fail_on)
    except LintUsageError as error:
        raise click.UsageError(str(error)) from None
    except (PromtoolNotFound, PromtoolError, MetadataError) as error:
        click.echo(f"obsgen lint: {error}", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(render(report.all_findings(), output_format), nl=False)
    sys.exit(report.exit_code)
