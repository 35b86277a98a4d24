"""Read-only view of a Grafana dashboard for the checks: panels, targets, variables, positions.

Handles both the plain dashboard JSON and the API export wrapped in
``{"dashboard": …, "meta": …}``, rows nested in ``panels[i].panels`` (collapsed
rows) and the pre-5.0 ``rows[i].panels`` layout.  Every element carries its
JSON path; lines come from composing the same text as YAML (JSON is YAML),
which is best effort: when that fails the JSON path alone locates findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from obsgen.lint.positions import Pos, node_pos
from obsgen.lint.source import load_json

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_VARIABLE_REF = re.compile(r"^\$\{?(\w+)\}?$|^\[\[(\w+)\]\]$")
BUILTIN_DATASOURCES = frozenset({"-- Mixed --", "-- Grafana --", "-- Dashboard --", "grafana", "dashboard"})
MIXED = "-- Mixed --"


@dataclass(frozen=True)
class Panel:
    data: dict
    json_path: str

    @property
    def type(self) -> str:
        return str(self.data.get("type") or "")

    @property
    def is_row(self) -> bool:
        return self.type == "row"


@dataclass(frozen=True)
class Target:
    data: dict
    json_path: str
    panel: Panel

    @property
    def expr(self) -> str:
        return str(self.data.get("expr") or "")

    @property
    def expr_path(self) -> str:
        return f"{self.json_path}.expr"


class Dashboard:
    def __init__(self, path: str, text: str, raw: object = None):
        """raw: the text decoded already (obsgen.lint.source.read_source did), else decoded here."""
        self.path = path
        self.text = text
        raw = load_json(path, text) if raw is None else raw
        wrapped = isinstance(raw.get("dashboard"), dict)
        self.data: dict = raw["dashboard"] if wrapped else raw
        self.prefix = "dashboard." if wrapped else ""

    # ------------------------------------------------------------------ structure

    @cached_property
    def panels(self) -> list[Panel]:
        found: list[Panel] = []
        self._collect(self.data.get("panels"), f"{self.prefix}panels", found)
        for i, row in enumerate(_as_list(self.data.get("rows"))):
            if isinstance(row, dict):
                self._collect(row.get("panels"), f"{self.prefix}rows[{i}].panels", found)
        return found

    def _collect(self, panels, path: str, found: list[Panel]) -> None:
        for i, panel in enumerate(_as_list(panels)):
            if isinstance(panel, dict):
                found.append(Panel(panel, f"{path}[{i}]"))
                self._collect(panel.get("panels"), f"{path}[{i}].panels", found)

    def targets(self, panel: Panel) -> list[Target]:
        return [
            Target(t, f"{panel.json_path}.targets[{i}]", panel)
            for i, t in enumerate(_as_list(panel.data.get("targets")))
            if isinstance(t, dict)
        ]

    @cached_property
    def variables(self) -> dict[str, dict]:
        return {name: variable for name, (variable, _) in self._variables_with_paths.items()}

    def variable_path(self, name: str) -> str:
        return self._variables_with_paths[name][1]

    @cached_property
    def _variables_with_paths(self) -> dict[str, tuple[dict, str]]:
        templating = self.data.get("templating") if isinstance(self.data.get("templating"), dict) else {}
        found = {}
        for i, variable in enumerate(_as_list(templating.get("list"))):
            if isinstance(variable, dict) and variable.get("name"):
                found.setdefault(str(variable["name"]), (variable, f"{self.prefix}templating.list[{i}]"))
        return found

    def current_values(self) -> dict[str, str]:
        values = {}
        for name, variable in self.variables.items():
            current = variable.get("current") if isinstance(variable.get("current"), dict) else {}
            value = current.get("value", variable.get("query") if variable.get("type") == "constant" else None)
            if isinstance(value, str):
                values[name] = value
        return values

    # ------------------------------------------------------------------ datasources

    def datasource_of(self, target: Target):
        """The datasource a target queries: its own, else its panel's (None = dashboard default)."""
        own = target.data.get("datasource")
        return own if own not in (None, "", {}) else target.panel.data.get("datasource")

    def datasource_type(self, datasource) -> str | None:
        """Plugin type (``prometheus``, ``loki``…) when knowable, resolving ``$var`` references."""
        if isinstance(datasource, dict):
            if datasource.get("type") and datasource.get("type") != "datasource":
                return str(datasource["type"])
            datasource = datasource.get("uid")
        variable = variable_reference(datasource)
        if variable and variable in self.variables and self.variables[variable].get("type") == "datasource":
            return str(self.variables[variable].get("query") or "") or None
        return None

    def is_promql(self, target: Target) -> bool:
        """A target with ``expr`` whose datasource is Prometheus or unknown (legacy name/default)."""
        if not target.expr.strip():
            return False
        kind = self.datasource_type(self.datasource_of(target))
        return kind in (None, "prometheus")

    # ------------------------------------------------------------------ positions

    def pos(self, json_path: str) -> Pos | None:
        return self._positions.get(json_path)

    @cached_property
    def _positions(self) -> dict[str, Pos]:
        try:
            root = yaml.compose(self.text, Loader=_LOADER)
        except yaml.YAMLError:
            return {}  # valid JSON that YAML rejects (e.g. tabs): JSON paths still locate findings
        positions: dict[str, Pos] = {}
        _index(root, "", positions)
        return positions


def variable_reference(datasource) -> str | None:
    """Name of the template variable a datasource string refers to (``$ds``, ``${ds}``), else None."""
    if not isinstance(datasource, str):
        return None
    match = _VARIABLE_REF.match(datasource.strip())
    return next((g for g in match.groups() if g), None) if match else None


def _index(node: Node | None, path: str, positions: dict[str, Pos]) -> None:
    if node is None:
        return
    if path:
        positions[path] = node_pos(node)
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode):
                _index(value, f"{path}.{key.value}" if path else key.value, positions)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, f"{path}[{i}]", positions)


def _as_list(value) -> list:
    return value if isinstance(value, list) else []
