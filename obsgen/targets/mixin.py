"""A monitoring mixin (monitoring.mixins.dev) for jsonnet users: `mixin.libsonnet` exposing
`prometheusAlerts`, `prometheusRules` and `grafanaDashboards`, as kube-prometheus and mixtool read them.

The rule groups and dashboards are the emitters' own, stored as JSON files (JSON is jsonnet) and
imported by `mixin.libsonnet`, so a mixin evaluates to exactly what the plain targets deliver.
Groups holding an alerting rule go to `prometheusAlerts`, the others to `prometheusRules`.
`_config.alertLabels` (empty by default) adds labels to every alert, the knob mixin users most
often turn (a cluster or team label) without editing generated files.

    targets/mixin/
      mixin.libsonnet       the entry point
      alerts.json           {"groups": [...]} with an alerting rule in each group
      rules.json            {"groups": [...]} of recording rules
      dashboards/<name>.json
      jsonnetfile.json      so jsonnet-bundler (`jb install`) can vendor the directory
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from obsgen.artifacts.base import Artifact
from obsgen.artifacts.built import DeliveryInputs
from obsgen.artifacts.layout import MIXIN_DASHBOARDS_DIR
from obsgen.model import Journey
from obsgen.render import dump_json, header_lines
from obsgen.targets.options import TargetOptions
from obsgen.targets.rulecheck import check_bodies

ENTRY_POINT = "mixin.libsonnet"
ALERTS_FILE = "alerts.json"
RULES_FILE = "rules.json"
JSONNETFILE = "jsonnetfile.json"
# jsonnet-bundler's manifest of a package with no dependencies of its own.
JSONNETFILE_CONTENT = {"version": 1, "dependencies": [], "legacyImports": True}

_IMPORT = re.compile(r"""\bimport\s+("(?:[^"\\]|\\.)*")""")

_BODY = """\
local alerts = (import {alerts}).groups;
local rules = (import {rules}).groups;
local labelled(rule, labels) =
  if std.objectHas(rule, 'alert') && std.length(labels) > 0 then rule {{ labels+: labels }} else rule;

{{
  _config+:: {{
    // Labels added to every alert of this mixin, e.g. {{ cluster: 'eu-1' }}.
    alertLabels: {{}},
  }},
  prometheusAlerts+:: {{
    groups+: [group {{ rules: [labelled(rule, $._config.alertLabels) for rule in group.rules] }} for group in alerts],
  }},
  prometheusRules+:: {{
    groups+: rules,
  }},
  grafanaDashboards+:: {{
{dashboards}  }},
}}
"""


def _literal(text: str) -> str:
    """A jsonnet string literal: JSON's double-quoted strings are valid jsonnet."""
    return json.dumps(text, ensure_ascii=False)


def _is_alerting(group: dict) -> bool:
    return any("alert" in rule for rule in group.get("rules") or ())


def entry_point(journey: Journey, dashboard_names: list[str]) -> str:
    header = "".join(f"// {line}\n" for line in header_lines(journey.source))
    dashboards = "".join(f"    {_literal(name)}: import {_literal(f'{MIXIN_DASHBOARDS_DIR}/{name}')},\n"
                         for name in dashboard_names)
    return header + _BODY.format(alerts=_literal(ALERTS_FILE), rules=_literal(RULES_FILE), dashboards=dashboards)


def render(journey: Journey, inputs: DeliveryInputs, options: TargetOptions) -> list[Artifact]:
    groups = [group for rule_file in inputs.rule_files for group in rule_file.groups]
    if not groups and not inputs.dashboards:
        return []
    dashboard_names = [dashboard.name for dashboard in inputs.dashboards]
    return [
        Artifact(ENTRY_POINT, entry_point(journey, dashboard_names)),
        Artifact(ALERTS_FILE, dump_json({"groups": [g for g in groups if _is_alerting(g)]})),
        Artifact(RULES_FILE, dump_json({"groups": [g for g in groups if not _is_alerting(g)]})),
        Artifact(JSONNETFILE, dump_json(JSONNETFILE_CONTENT)),
        *(Artifact(f"{MIXIN_DASHBOARDS_DIR}/{d.name}", d.content) for d in inputs.dashboards),
    ]


def _load_json(path: Path) -> tuple[object, list[str]]:
    try:
        return json.loads(path.read_text(encoding="utf-8")), []
    except (OSError, ValueError) as error:
        return None, [f"mixin: {path.name}: {error}"]


def _import_problems(directory: Path) -> list[str]:
    """Every file mixin.libsonnet imports exists and is JSON (jsonnet would fail to evaluate otherwise)."""
    entry = directory / ENTRY_POINT
    if not entry.is_file():
        return [f"mixin: {ENTRY_POINT} is missing"]
    problems = []
    for quoted in _IMPORT.findall(entry.read_text(encoding="utf-8")):
        imported = directory / json.loads(quoted)
        problems += _load_json(imported)[1] if imported.is_file() else [f"mixin: {ENTRY_POINT} imports missing {imported.name}"]
    return problems


def check(directory: Path, journey: Journey, options: TargetOptions) -> list[str]:
    if not directory.is_dir():
        return []  # nothing to deliver: no rule groups and no dashboards
    problems = _import_problems(directory)
    bodies: dict[str, dict] = {}
    for name in (ALERTS_FILE, RULES_FILE):
        document, errors = _load_json(directory / name)
        problems += errors
        if isinstance(document, dict) and document.get("groups"):
            bodies[f"mixin: {name}"] = document
    return problems + check_bodies(bodies)
