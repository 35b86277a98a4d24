"""Grafana's dashboard model as JSON Schema, made from the TypeScript types Grafana publishes on npm.

`@grafana/schema` carries the dashboard kind and each core panel's options as TypeScript types that
Grafana generates from its CUE kinds. `ts-json-schema-generator` turns them into JSON Schema (draft 7;
objects closed to unknown keys unless the type has an index signature). Both come from the npm
registry into ~/.cache/obsgen-tests (tests/npm_cache.py); the generated schemas are cached beside them.

Why @grafana/schema 11.2.2 (the last 11.2 release): we emit `schemaVersion` 39, which Grafana 10.3 to
11.2 save. 11.2's kind is the first to say so itself (its `defaultDashboard` has schemaVersion 39; the
10.4 and 11.0 kinds still carried 36), and later lines moved on (Grafana 11.5 saves 40, 11.6's kind
says 41). `test_schema.py` checks that the pinned kind's number is the one we emit.
ts-json-schema-generator 2.4.0 is the newest release that runs on node 18/20 (2.5+ need node 22).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import jsonschema

from tests.npm_cache import npm_prefix

GRAFANA_SCHEMA_VERSION = "11.2.2"
PACKAGES = (f"@grafana/schema@{GRAFANA_SCHEMA_VERSION}", "ts-json-schema-generator@2.4.0", "typescript@5.8.3")
GENERATOR = Path("node_modules/ts-json-schema-generator/bin/ts-json-schema-generator")
GRAFANA_RAW = Path("node_modules/@grafana/schema/dist/esm/raw")
DASHBOARD_TYPES = GRAFANA_RAW / "dashboard/x/dashboard_types.gen.d.ts"
DASHBOARD_DEFAULTS = GRAFANA_RAW / "dashboard/x/dashboard_types.gen.js"

# Panel type -> (file prefix under raw/composable/<type>/panelcfg/x/, panel JSON key -> exported type).
# `fieldConfig.defaults.custom` is what the panel's FieldConfig type describes.
PANEL_TYPES = {
    "bargauge": ("BarGauge", {"options": "Options"}),
    "stat": ("Stat", {"options": "Options"}),
    "table": ("Table", {"options": "Options", "custom": "FieldConfig"}),
    "text": ("Text", {"options": "Options"}),
    "timeseries": ("TimeSeries", {"options": "Options", "custom": "FieldConfig"}),
}
# Panel types whose plugin publishes no options schema in the package: only the kind's Panel rules apply.
PANEL_TYPES_WITHOUT_SCHEMA = frozenset({"traces"})


def npm_tools() -> Path:
    return npm_prefix(f"grafana-schema-{GRAFANA_SCHEMA_VERSION}", PACKAGES,
                      "to turn Grafana's published TypeScript types into JSON Schema")


def generated_schema(prefix: Path, types_file: Path, type_name: str) -> dict:
    """The JSON Schema of one exported TypeScript type, generated once and cached."""
    out = prefix / "jsonschema" / f"{types_file.name.removesuffix('.d.ts')}.{type_name}.json"
    if not out.is_file():
        out.parent.mkdir(exist_ok=True)
        partial = out.with_suffix(f".{os.getpid()}.tmp")
        run = subprocess.run(["node", str(prefix / GENERATOR), "--path", str(prefix / types_file),
                              "--type", type_name, "--no-type-check", "--out", str(partial)],
                             check=False, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, f"ts-json-schema-generator {types_file} {type_name} failed:\n{run.stderr}"
        partial.replace(out)
    return json.loads(out.read_text(encoding="utf-8"))


def dashboard_schema(prefix: Path) -> dict:
    """The dashboard kind, unchanged: its TypeScript already allows what Grafana saves (null base
    thresholds, matcher options and override values of any JSON type), so nothing is relaxed."""
    return generated_schema(prefix, DASHBOARD_TYPES, "Dashboard")


def panel_schemas(prefix: Path) -> dict[str, dict[str, dict]]:
    """Per panel type, the schema of `options` and of `fieldConfig.defaults.custom`, with one relaxation:
    no property is required. CUE fields that have a default become non-optional TypeScript properties,
    but Grafana saves a panel's options sparsely and fills the plugin's defaults in when it loads the
    panel, so a missing key is valid; types, enums and unknown keys are still checked."""
    schemas: dict[str, dict[str, dict]] = {}
    for panel_type, (prefix_name, parts) in sorted(PANEL_TYPES.items()):
        types_file = GRAFANA_RAW / "composable" / panel_type / "panelcfg/x" / f"{prefix_name}PanelCfg_types.gen.d.ts"
        schemas[panel_type] = {part: _without_required(generated_schema(prefix, types_file, type_name))
                               for part, type_name in parts.items()}
    return schemas


def kind_schema_version(prefix: Path) -> int:
    """The schemaVersion the pinned kind's `defaultDashboard` declares."""
    found = re.findall(r"\bschemaVersion:\s*(\d+)", (prefix / DASHBOARD_DEFAULTS).read_text(encoding="utf-8"))
    assert len(found) == 1, found
    return int(found[0])


def _without_required(node):
    if isinstance(node, dict):
        # A list under "required" is the keyword; a property that happens to be named so is a dict.
        return {key: _without_required(value) for key, value in node.items()
                if not (key == "required" and isinstance(value, list))}
    if isinstance(node, list):
        return [_without_required(value) for value in node]
    return node


class DashboardChecker:
    """Validates a dashboard against the kind, then each panel's options against its plugin's schema."""

    def __init__(self, prefix: Path):
        self.kind = jsonschema.Draft7Validator(dashboard_schema(prefix))
        self.panels = {panel_type: {part: jsonschema.Draft7Validator(schema) for part, schema in parts.items()}
                       for panel_type, parts in panel_schemas(prefix).items()}
        for validator in [self.kind, *(v for parts in self.panels.values() for v in parts.values())]:
            validator.check_schema(validator.schema)

    def problems(self, dashboard: dict) -> list[str]:
        found = [_shown(leaf) for error in self.kind.iter_errors(dashboard) for leaf in _intended(error)]
        for path, panel in _panels(dashboard):
            parts = {"options": panel.get("options"),
                     "custom": ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("custom")}
            shown = {"options": f"{path}/options", "custom": f"{path}/fieldConfig/defaults/custom"}
            for part, validator in self.panels.get(panel.get("type"), {}).items():
                if parts[part] is not None:
                    found += [_shown(e, shown[part]) for e in validator.iter_errors(parts[part])]
        return found


def _panels(dashboard: dict):
    """(path, panel) for every panel, including those inside collapsed rows."""
    for index, panel in enumerate(dashboard.get("panels") or []):
        yield f"panels/{index}", panel
        for inner, nested in enumerate(panel.get("panels") or []):
            yield f"panels/{index}/panels/{inner}", nested


def _intended(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """A panel is `Panel | RowPanel`; report the errors of the branch its `type` picks, not "not valid
    under any of the given schemas" (or both branches' errors)."""
    if error.validator != "anyOf" or not isinstance(error.instance, dict):
        return [error]
    refs = [branch.get("$ref") for branch in error.validator_value]
    meant = "#/definitions/RowPanel" if error.instance.get("type") == "row" else "#/definitions/Panel"
    if meant not in refs:
        return [error]
    branch = refs.index(meant)
    return [leaf for sub in error.context if sub.relative_schema_path[0] == branch for leaf in _intended(sub)]


def _shown(error: jsonschema.ValidationError, prefix: str = "") -> str:
    path = "/".join(filter(None, [prefix, *map(str, error.absolute_path)]))
    return f"{path or '<root>'}: {error.message[:200]}"
