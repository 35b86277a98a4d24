"""Option parsing shared by the commands."""

from __future__ import annotations

import click

from obsgen.promql import parse_duration


def duration_seconds(_ctx: click.Context, _param: click.Parameter, value: str | None) -> float | None:
    """click callback: a Prometheus duration option (30s, 5m, 1h30m) as seconds."""
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def prometheus_version_option(command):
    """--prometheus-version: the generation whose range maths the rule tests are written for."""
    return click.option(
        "--prometheus-version", type=click.Choice(["2", "3"]), default=None,
        callback=lambda _ctx, _param, value: int(value) if value else None,
        help="Write the rule tests for Prometheus 2.x or 3.x range semantics (3 made ranges left-open). "
             "Default: the generation of the promtool obsgen runs (`promtool --version`), else 3.")(command)
