"""alerts/labels: every alert needs a ``severity`` label with a known value.

Alertmanager routes on ``severity`` (page vs. ticket); an alert without it, or
with a value no route matches, lands in the default receiver — usually
nowhere useful.  Accepted values: page, ticket (SRE workbook naming),
critical, warning, info (kube-prometheus/mixin naming) and none, the
kube-prometheus convention for an alert that only inhibits others and notifies
no one (its InfoInhibitor; obsgen's RecentlyDown companions).  A templated value
(``{{ … }}``) is accepted because it can only be judged at run time.
"""

from __future__ import annotations

from obsgen.lint.check import at
from obsgen.lint.finding import WARNING

ID = "alerts/labels"
SEVERITY = WARNING
# The same check under the names other linters give it (docs/lint.md lists them).
KNOWN_AS = ("pint rule/label (configured to require severity)",)
SEVERITY_VALUES = ("page", "ticket", "critical", "warning", "info", "none")
INHIBIT_ONLY = "none"  # the severity of an alert that only inhibits: it notifies no one


def check(ctx):
    for rule in ctx.alerts():
        labels = rule.string_map("labels")
        value = labels.get("severity")
        if value is None:
            yield at(rule.path, rule.value_pos("labels"), ID, SEVERITY, f"alert {rule.name!r} has no 'severity' label")
        elif value not in SEVERITY_VALUES and "{{" not in value:
            allowed = "|".join(SEVERITY_VALUES)
            message = f"alert {rule.name!r} has severity {value!r}, expected one of {allowed}"
            yield at(rule.path, rule.value_pos("labels", "severity"), ID, SEVERITY, message)
