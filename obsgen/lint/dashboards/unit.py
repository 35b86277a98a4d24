"""dashboard/unit: every graph, time series, stat, gauge and bar gauge panel sets a unit.

``0.25`` may be seconds, a ratio or requests per second; without a unit the
reader guesses, and Grafana cannot scale (ms → s, B → GiB) or format
thresholds.  ``none`` counts as a unit: it records that someone decided.
"""

from __future__ import annotations

from obsgen.lint.dashboards.context import finding
from obsgen.lint.finding import WARNING

ID = "dashboard/unit"
SEVERITY = WARNING
# The same check under the names other linters give it (docs/lint.md lists them).
KNOWN_AS = ("dashboard-linter panel-units-rule",)
PANEL_TYPES = frozenset({"graph", "timeseries", "stat", "gauge", "bargauge"})


def check(ctx):
    for dashboard, panel in ctx.panels():
        if panel.type in PANEL_TYPES and not _unit(panel.data):
            title = panel.data.get("title") or panel.json_path
            yield finding(dashboard, panel.json_path, ID, SEVERITY, f"{panel.type} panel {title!r} has no unit")


def _unit(panel: dict) -> str:
    field_config = panel.get("fieldConfig") if isinstance(panel.get("fieldConfig"), dict) else {}
    defaults = field_config.get("defaults") if isinstance(field_config.get("defaults"), dict) else {}
    if defaults.get("unit"):
        return str(defaults["unit"])
    # The old graph panel keeps its unit on the left y axis.
    axes = panel.get("yaxes") if isinstance(panel.get("yaxes"), list) else []
    first = axes[0] if axes and isinstance(axes[0], dict) else {}
    return str(first.get("format") or "")
