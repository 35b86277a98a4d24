"""dashboard/panel-title: the dashboard and every panel (rows included) have a title.

An untitled panel is a chart nobody can name in an incident channel, and an
untitled row cannot be collapsed meaningfully.
"""

from __future__ import annotations

from obsgen.lint.dashboards.context import finding
from obsgen.lint.finding import WARNING

ID = "dashboard/panel-title"
SEVERITY = WARNING
# The same check under the names other linters give it (docs/lint.md lists them).
KNOWN_AS = ("dashboard-linter panel-title-description-rule",)


def check(ctx):
    for dashboard in ctx.dashboards:
        if not str(dashboard.data.get("title") or "").strip():
            yield finding(dashboard, f"{dashboard.prefix}title", ID, SEVERITY, "dashboard has no title")
    for dashboard, panel in ctx.panels():
        if not str(panel.data.get("title") or "").strip():
            message = f"{panel.type or 'panel'} at {panel.json_path} has no title"
            yield finding(dashboard, panel.json_path, ID, SEVERITY, message)
