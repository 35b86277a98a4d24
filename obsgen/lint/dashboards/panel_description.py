"""dashboard/panel-description: every panel except rows and text panels has a description.

The description (the ⓘ next to the title) is where a panel says what it
shows and why it matters — the on-call reading it may not be the author.
Text panels are their own description; rows only group.
"""

from __future__ import annotations

from obsgen.lint.dashboards.context import finding
from obsgen.lint.finding import WARNING

ID = "dashboard/panel-description"
SEVERITY = WARNING
# The same check under the names other linters give it (docs/lint.md lists them).
KNOWN_AS = ("dashboard-linter panel-title-description-rule",)
EXEMPT_TYPES = frozenset({"row", "text"})


def check(ctx):
    for dashboard, panel in ctx.panels():
        if panel.type not in EXEMPT_TYPES and not str(panel.data.get("description") or "").strip():
            title = panel.data.get("title") or panel.json_path
            yield finding(dashboard, panel.json_path, ID, SEVERITY, f"panel {title!r} has no description")
