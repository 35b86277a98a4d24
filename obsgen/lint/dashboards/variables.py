"""Expand Grafana template variables in a PromQL target so real parsers can read it.

Grafana substitutes ``$__rate_interval``, ``$job`` and friends before the
query reaches Prometheus, so neither promtool nor promql-parser accept the
raw text.  Like Grafana's dashboard-linter we substitute placeholders:

* interval macros become *sentinel* durations (odd millisecond values nobody
  writes by hand), so a check can still tell ``[$__rate_interval]`` from
  ``[5m]`` after parsing;
* ``*_ms`` / ``*_s`` macros become numbers, as Grafana makes them;
* user variables become their current value when it is a plain token (a
  number, a duration, a label name), inside ``[…]`` a duration, inside a
  string literal just their name, and otherwise their name (a valid
  identifier wherever a label or metric name is expected).
"""

from __future__ import annotations

import re
from datetime import timedelta

from obsgen.promql import parse_duration
from obsgen.promql.analysis import mask_strings, show_duration

SENTINEL_DURATIONS = {
    "__rate_interval": "7919ms",
    "__interval": "7927ms",
    "__range": "7933ms",
    "__auto_interval": "7937ms",  # interval variables with "auto" enabled
}
NUMERIC_MACROS = {"__interval_ms": "60000", "__range_ms": "3600000", "__range_s": "3600"}

_VARIABLE = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)(?::[^\]]*)?\]\]")
_PLAIN_TOKEN = re.compile(r"^[A-Za-z0-9_.:]+$")
_IN_RANGE = re.compile(r"\[[^\[\]]*$")
DEFAULT_RANGE = "5m"


def sentinel(name: str) -> timedelta:
    return timedelta(seconds=parse_duration(SENTINEL_DURATIONS[name]))


def expand(expr: str, current_values: dict[str, str] | None = None) -> str:
    """``expr`` with every Grafana variable replaced by something PromQL accepts."""
    values = current_values or {}
    masked = mask_strings(expr)
    out: list[str] = []
    last = 0
    for match in _VARIABLE.finditer(expr):
        name = next(g for g in match.groups() if g)
        out.append(expr[last : match.start()])
        out.append(_replacement(name, values, masked, match.start()))
        last = match.end()
    out.append(expr[last:])
    return "".join(out)


def _replacement(name: str, values: dict[str, str], masked: str, start: int) -> str:
    in_string = masked[start] == " "  # string literals are blanked in the masked copy
    if in_string:
        return name
    if name in NUMERIC_MACROS:
        return NUMERIC_MACROS[name]
    if name in SENTINEL_DURATIONS:
        return SENTINEL_DURATIONS[name]
    if name.startswith("__auto_interval"):
        return SENTINEL_DURATIONS["__auto_interval"]
    value = values.get(name, "")
    if _IN_RANGE.search(masked[:start]):
        return value if re.fullmatch(r"(\d+(ms|[smhdwy]))+", value) else DEFAULT_RANGE
    return value if _PLAIN_TOKEN.match(value) and value not in ("All", "$__all") else name


def describe_duration(duration: timedelta) -> str:
    """Show a sentinel as the macro it stands for (``$__interval``), else as a duration."""
    for name, text in SENTINEL_DURATIONS.items():
        if timedelta(seconds=parse_duration(text)) == duration:
            return f"${name}"
    return show_duration(duration)
