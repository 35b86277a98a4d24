"""Expand alert annotation templates the way Prometheus does, for the constructs obsgen emits.

promtool compares annotations exactly, so an expected alert needs the expanded text. Only
``{{ $value }}``, ``{{ $labels.x }}``, the humanize* functions and string literals (``{{ "{{" }}``,
how obsgen prints template delimiters that come from a spec) are supported; anything else raises
instead of guessing. The number formats follow Prometheus' template/template.go.
"""

from __future__ import annotations

import json
import math
import re

# An action ends at the first }} outside a quoted string: {{ "}}" }} is one action.
_ACTION = re.compile(r'\{\{\s*((?:"(?:[^"\\]|\\.)*"|[^"])*?)\s*\}\}')
_STRING = re.compile(r'^"(?:[^"\\]|\\.)*"$')
_LABEL = re.compile(r"^\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)$")


class UnsupportedTemplate(ValueError):
    pass


def go_g4(value: float) -> str:
    """Go's fmt %.4g (the same as C's for finite values)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return f"{value:.4g}"


def humanize(value: float) -> str:
    if value == 0 or not math.isfinite(value):
        return go_g4(value)
    if abs(value) >= 1:
        prefix = ""
        for p in ("k", "M", "G", "T", "P", "E", "Z", "Y"):
            if abs(value) < 1000:
                break
            prefix, value = p, value / 1000
        return go_g4(value) + prefix
    prefix = ""
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(value) >= 1:
            break
        prefix, value = p, value * 1000
    return go_g4(value) + prefix


def humanize_percentage(value: float) -> str:
    return go_g4(value * 100) + "%"


def humanize_duration(value: float) -> str:
    if not math.isfinite(value):
        return go_g4(value)
    if value == 0:
        return go_g4(value) + "s"
    if abs(value) >= 1:
        sign = "-" if value < 0 else ""
        value = abs(value)
        whole = int(value)
        seconds, minutes = whole % 60, (whole // 60) % 60
        hours, days = (whole // 3600) % 24, whole // 86400
        if days:
            return f"{sign}{days}d {hours}h {minutes}m {seconds}s"
        if hours:
            return f"{sign}{hours}h {minutes}m {seconds}s"
        if minutes:
            return f"{sign}{minutes}m {seconds}s"
        return f"{sign}{go_g4(value)}s"
    prefix = ""
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(value) >= 1:
            break
        prefix, value = p, value * 1000
    return f"{go_g4(value)}{prefix}s"


FUNCTIONS = {"humanize": humanize, "humanizePercentage": humanize_percentage, "humanizeDuration": humanize_duration}


def expand(template: str, value: float, labels: dict[str, str]) -> str:
    def action(match: re.Match) -> str:
        pipeline = [part.strip() for part in match.group(1).split("|")]
        head, functions = pipeline[0], pipeline[1:]
        if head == "$value":
            if not functions:
                return _go_float(value)
            if len(functions) == 1 and functions[0] in FUNCTIONS:
                return FUNCTIONS[functions[0]](value)
        elif (label := _LABEL.match(head)) and not functions:
            return labels.get(label.group(1), "")
        elif _STRING.match(head) and not functions:
            return json.loads(head)  # Go's and JSON's escapes agree on what obsgen writes: \\ and \"
        raise UnsupportedTemplate(f"cannot expand {{{{ {match.group(1)} }}}} in {template!r}")

    return _ACTION.sub(action, template)


def _go_float(value: float) -> str:
    """{{ $value }} prints a float64 with %v, Go's shortest representation ('g' with exponent >= 21)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    text = repr(value)
    text = text.removesuffix(".0")
    return text
