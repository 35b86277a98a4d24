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
