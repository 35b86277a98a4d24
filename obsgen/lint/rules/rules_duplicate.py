"""rules/duplicate: the same rule defined twice, across groups or files.

Two recording rules with the same name and the same static labels write the
same series: Prometheus keeps whichever evaluated last, so the series flips
between two definitions.  The same name with different static labels is
fine (one ``slo:sli_error:ratio_rate5m`` per ``slo`` label is the point of
labels).  For alerts, same name and labels is a normal way to give one alert
several conditions; only an identical expression as well is a duplicate
(it would notify twice).
"""

from __future__ import annotations

from obsgen.lint.check import at
from obsgen.lint.finding import WARNING

ID = "rules/duplicate"
SEVERITY = WARNING
# The same check under the names other linters give it (docs/lint.md lists them).
KNOWN_AS = ("pint rule/duplicate",)


def check(ctx):
    first_seen = {}
    for rule in ctx.rules():
        if not rule.kind or not rule.name:
            continue
        key = _identity(rule)
        original = first_seen.setdefault(key, rule)
        if original is rule:
            continue
        where = f"{original.path}:{original.pos.line}" if original.path != rule.path else f"line {original.pos.line}"
        message = f"{rule.kind} rule {rule.name!r} duplicates the one at {where} (same name and labels)"
        yield at(rule.path, rule.pos, ID, SEVERITY, message)


def _identity(rule) -> tuple:
    labels = tuple(sorted(rule.string_map("labels").items()))
    expr = " ".join((rule.expr or "").split()) if rule.kind == "alert" else None
    return rule.kind, rule.name, labels, expr
