"""alerts/annotations: every alert needs ``summary``, ``description`` and ``runbook_url``.

The person paged at 3am reads the notification, not the rule file: the
summary says what is wrong, the description gives the current value and
scope, and the runbook says what to do.  ``runbook_url`` must be an absolute
http(s) URL (or a template that builds one) so it is clickable.
"""

from __future__ import annotations

from obsgen.lint.check import at
from obsgen.lint.finding import WARNING

ID = "alerts/annotations"
SEVERITY = WARNING
# The same check under the names other linters give it (docs/lint.md lists them).
KNOWN_AS = ("pint alerts/annotation (configured to require these)",)
REQUIRED = ("summary", "description", "runbook_url")


def check(ctx):
    for rule in ctx.alerts():
        annotations = rule.string_map("annotations")
        for key in REQUIRED:
            if not annotations.get(key, "").strip():
                message = f"alert {rule.name!r} has no {key!r} annotation"
                yield at(rule.path, rule.value_pos("annotations"), ID, SEVERITY, message)
        url = annotations.get("runbook_url", "").strip()
        if url and not url.startswith(("http://", "https://", "{{")):
            pos = rule.value_pos("annotations", "runbook_url")
            yield at(rule.path, pos, ID, SEVERITY, f"alert {rule.name!r} runbook_url {url!r} is not an http(s) URL")
