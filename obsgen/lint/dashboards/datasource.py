"""dashboard/datasource: panels and targets take their datasource from a template variable.

A hard-coded datasource uid (or name, or the implicit default) ties the
dashboard to one Grafana instance: imported elsewhere every panel shows
"datasource not found", and nobody can point it at staging.  Reference a
``datasource``-type variable (``${datasource}``) instead; the variable must
exist.  Grafana's built-ins (``-- Mixed --``, ``-- Grafana --``,
``-- Dashboard --``) are fine — for Mixed, each target must then use a
variable.  Query variables are checked the same way.
"""

from __future__ import annotations

from obsgen.lint.dashboards.context import finding
from obsgen.lint.dashboards.model import BUILTIN_DATASOURCES, MIXED, variable_reference
from obsgen.lint.finding import WARNING

ID = "dashboard/datasource"
SEVERITY = WARNING
# The same check under the names other linters give it (docs/lint.md lists them).
KNOWN_AS = ("dashboard-linter template-datasource-rule", "dashboard-linter panel-datasource-rule")


def check(ctx):
    for dashboard in ctx.dashboards:
        for panel in dashboard.panels:
            targets = dashboard.targets(panel)
            if panel.is_row or not targets:
                continue
            yield from _panel_problems(dashboard, panel, targets)
        for name, variable in dashboard.variables.items():
            if variable.get("type") == "query":
                path = f"{dashboard.variable_path(name)}.datasource"
                yield from _reference_problems(dashboard, variable.get("datasource"), path, f"variable {name!r}")


def _panel_problems(dashboard, panel, targets):
    panel_ds = panel.data.get("datasource")
    every_target_has_own = all(t.data.get("datasource") not in (None, "", {}) for t in targets)
    if _uid(panel_ds) == MIXED or (panel_ds in (None, "", {}) and every_target_has_own):
        for target in targets:
            where = f"{target.json_path}.datasource"
            yield from _reference_problems(dashboard, target.data.get("datasource"), where, "target")
        return
    label = f"panel {panel.data.get('title') or panel.json_path!r}"
    yield from _reference_problems(dashboard, panel_ds, f"{panel.json_path}.datasource", label)
    for target in targets:
        own = target.data.get("datasource")
        if own not in (None, "", {}) and own != panel_ds:
            yield from _reference_problems(dashboard, own, f"{target.json_path}.datasource", "target")


def _reference_problems(dashboard, datasource, json_path, what):
    uid = _uid(datasource)
    if uid in BUILTIN_DATASOURCES:
        return
    if uid in (None, ""):
        message = f"{what} uses the default datasource; set it to ${{datasource}}"
    elif (variable := variable_reference(uid)) is None:
        message = f"{what} has hard-coded datasource {uid!r}; use a datasource variable like ${{datasource}}"
    elif dashboard.variables.get(variable, {}).get("type") != "datasource":
        message = f"{what} refers to ${variable}, which is not a datasource variable of this dashboard"
    else:
        return
    yield finding(dashboard, _located(dashboard, json_path), ID, SEVERITY, message)


def _located(dashboard, json_path: str) -> str:
    """The datasource key when the file has one, else its owner. Asked only for a finding: positions
    come from composing the whole file as YAML, which a clean dashboard never needs."""
    return json_path if dashboard.pos(json_path) else json_path.rsplit(".", 1)[0]


def _uid(datasource):
    return datasource.get("uid") if isinstance(datasource, dict) else datasource
