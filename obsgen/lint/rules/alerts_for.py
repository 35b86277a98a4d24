"""alerts/for: an alert without ``for:`` (or with ``for: 0s``) fires on a single evaluation.

One scrape glitch, restart or slow target then pages someone.  A ``for``
duration makes the condition prove itself over a few evaluations; pick it
from how long the problem may last before a human must act.  An alert of
severity ``none`` only inhibits others and pages no one, so it needs none.

Multi-window burn-rate alerts (obsgen.lint.burn_rate) are exempt: their long
window already proves the burn over an hour or more, and the SRE workbook
recommends them without ``for``, which would only delay the page.
"""

from __future__ import annotations

from obsgen.lint.burn_rate import burn_rate_pairs
from obsgen.lint.check import at
from obsgen.lint.finding import WARNING
from obsgen.lint.rules.alerts_labels import INHIBIT_ONLY
from obsgen.promql import parse_duration

ID = "alerts/for"
SEVERITY = WARNING
# The same check under the names other linters give it (docs/lint.md lists them).
KNOWN_AS = ("pint rule/for (with a minimum set)",)


def check(ctx):
    for rule in ctx.alerts():
        if burn_rate_pairs(rule.expr) is not None or rule.string_map("labels").get("severity") == INHIBIT_ONLY:
            continue
        duration = rule.scalar("for")
        if duration is None:
            message = f"alert {rule.name!r} has no 'for:'; it fires on one bad evaluation"
            yield at(rule.path, rule.pos, ID, SEVERITY, message)
        elif _is_zero(duration):
            message = f"alert {rule.name!r} has 'for: {duration}'; it fires on one bad evaluation"
            yield at(rule.path, rule.value_pos("for"), ID, SEVERITY, message)


def _is_zero(text: str) -> bool:
    try:
        return parse_duration(text) == 0
    except ValueError:
        return False  # an invalid duration is promtool's to report
