"""Grafana's template variables, replaced the way Grafana replaces them before a Prometheus query.

Built-ins follow Grafana's rules: ``$__interval`` is the query step, ``$__rate_interval`` is
max(step + scrape interval, 4 x scrape interval) with the scrape interval the datasource declares
(``timeInterval``, the journey's scrape interval), ``$__range`` is the panel's time range.
Dashboard variables take their current value; a multi-value or "All" variable becomes a regex
alternative of its values, as the Prometheus datasource formats it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from obsgen.promql import format_duration

# $name, ${name}, ${name:format}, [[name]], [[name:format]]
_VARIABLE = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)")
ALL = "$__all"


@dataclass(frozen=True)
class TimeContext:
    window: float  # seconds the panel shows (the query range)
    step: float  # seconds between points
    scrape_interval: float  # the datasource's declared scrape interval

    @property
    def rate_interval(self) -> float:
        return max(self.step + self.scrape_interval, 4 * self.scrape_interval)

    def builtins(self) -> dict[str, str]:
        return {
            "__interval": format_duration(self.step),
            "__interval_ms": str(int(self.step * 1000)),
            "__rate_interval": format_duration(self.rate_interval),
            "__range": format_duration(self.window),
            "__range_s": str(int(self.window)),
            "__range_ms": str(int(self.window * 1000)),
        }


@dataclass(frozen=True)
class Interpolated:
    expr: str
    unresolved: tuple[str, ...] = field(default=())


def regex_escape(value: str) -> str:
    """Grafana's Prometheus regex escaping of one variable value."""
    return re.sub(r"([\\^$*+?.()|{}\[\]])", r"\\\\\1", value)


def variable_values(templating: list[dict]) -> dict[str, str]:
    """Each dashboard variable's value as it lands in a Prometheus query."""
    values: dict[str, str] = {}
    for variable in templating:
        name = variable.get("name")
        if not name or variable.get("type") == "datasource":
            continue
        values[name] = _current_value(variable)
    return values


def _current_value(variable: dict) -> str:
    current = (variable.get("current") or {}).get("value", "")
    selected = current if isinstance(current, list) else [current]
    options = [o.get("value") for o in variable.get("options") or [] if o.get("value") not in (None, ALL)]
    if ALL in selected:
        if variable.get("allValue"):
            return str(variable["allValue"])
        selected = options
    multi = variable.get("multi") or variable.get("includeAll")
    if not multi:
        return str(selected[0]) if selected else ""
    escaped = [regex_escape(str(v)) for v in selected]
    return escaped[0] if len(escaped) == 1 else f"({'|'.join(escaped)})"


def interpolate(expr: str, values: dict[str, str], time: TimeContext) -> Interpolated:
    known = {**values, **time.builtins()}
    unresolved: list[str] = []

    def replace(match: re.Match) -> str:
        name = next(g for g in match.groups() if g)
        if name in known:
            return known[name]
        if not name.isdigit():  # $1 is a label_replace back-reference, not a variable
            unresolved.append(name)
        return match.group(0)

    text = _VARIABLE.sub(replace, expr)
    return Interpolated(text, tuple(dict.fromkeys(unresolved)))
