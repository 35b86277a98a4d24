"""dashboard/panel-id: every panel has an id, unique across the dashboard (rows' panels included).

Panel ids are the address of a panel: ``viewPanel=``/``editPanel=`` links,
alert links, embeds and library panels use them.  A duplicate makes Grafana
open the wrong panel (or renumber on save, breaking every saved link).
"""

from __future__ import annotations

from obsgen.lint.dashboards.context import finding
from obsgen.lint.finding import ERROR

ID = "dashboard/panel-id"
SEVERITY = ERROR


def check(ctx):
    for dashboard in ctx.dashboards:
        first_path: dict[object, str] = {}
        for panel in dashboard.panels:
            panel_id = panel.data.get("id")
            if panel_id is None:
                yield finding(dashboard, panel.json_path, ID, SEVERITY, "panel has no id")
            elif panel_id in first_path:
                message = f"panel id {panel_id} is also used by {first_path[panel_id]}"
                yield finding(dashboard, f"{panel.json_path}.id", ID, SEVERITY, message)
            else:
                first_path[panel_id] = panel.json_path
