"""Every generated dashboard validates against Grafana's own dashboard model and panel options, as
JSON Schema generated from the TypeScript types of the pinned npm package @grafana/schema
(tests/dashboards/grafana_schema.py says which version and why, and what is relaxed)."""

from __future__ import annotations

import copy
import json

import pytest
from grafanalib import core as gl

from obsgen.artifacts.grafana import grafana
from tests.conftest import ROOT
from tests.dashboards.conftest import by_title
from tests.dashboards.grafana_schema import PANEL_TYPES, PANEL_TYPES_WITHOUT_SCHEMA, kind_schema_version

# Each needs node: fetched npm packages, then ts-json-schema-generator (cached after the first run).
pytestmark = pytest.mark.integration


def broken(dashboard: dict, title: str, change) -> dict:
    """A copy of the dashboard with one panel changed."""
    copied = copy.deepcopy(dashboard)
    change(by_title(copied, title))
    return copied


def test_pinned_kind_is_the_schema_version_we_emit(grafana_npm, dashboard):
    assert kind_schema_version(grafana_npm) == dashboard["schemaVersion"] == grafana.SCHEMA_VERSION


def test_built_dashboard_matches_grafana_schema(dashboard_checker, dashboard):
    assert dashboard_checker.problems(dashboard) == []


def test_every_committed_dashboard_matches_grafana_schema(dashboard_checker):
    files = sorted(ROOT.glob("generated/*/grafana/dashboards/*.json"))
    assert files, "no generated dashboards found"
    for path in files:
        assert dashboard_checker.problems(json.loads(path.read_text())) == [], path


def test_every_panel_type_we_emit_is_checked_or_known_to_have_no_schema(dashboard):
    emitted = {p["type"] for p in dashboard["panels"]} - {"row"}
    assert emitted - set(PANEL_TYPES) - PANEL_TYPES_WITHOUT_SCHEMA == set()
    assert emitted & set(PANEL_TYPES), "no panel's options would be checked"


def test_raw_grafanalib_output_is_rejected(dashboard_checker):
    """The schema is strict enough to catch what the wrapper fixes (legacy keys, string thresholds)."""
    panel = gl.TimeSeries(title="t", targets=[gl.Target(expr="up", refId="A")],
                          thresholds=[gl.Threshold("green", 0, 0.0)], gridPos=gl.GridPos(h=8, w=12, x=0, y=0), id=1)
    raw = json.loads(json.dumps(gl.Dashboard(title="raw", uid="raw", panels=[panel]).to_json_data(),
                                cls=grafana.DashboardEncoder))
    problems = dashboard_checker.problems(raw)
    assert any(p.startswith("<root>: Additional properties are not allowed ('__inputs'") for p in problems)
    assert any(p.startswith("panels/0: Additional properties are not allowed") for p in problems), problems
    assert "panels/0/fieldConfig/defaults/thresholds/steps/0/value: 'null' is not of type 'number', 'null'" in problems


@pytest.mark.parametrize("title, change, expected", [
    ("Checkout requests/s", lambda p: p["gridPos"].update(w="12"),
     "gridPos/w: '12' is not of type 'number'"),
    ("Checkout requests/s", lambda p: p["fieldConfig"]["defaults"]["thresholds"].update(mode="relative"),
     "fieldConfig/defaults/thresholds/mode: 'relative' is not one of ['absolute', 'percentage']"),
    ("Checkout requests/s", lambda p: p.pop("type"), ": 'type' is a required property"),
    ("Checkout requests/s", lambda p: p["options"].update(colorMode="rainbow"),
     "options/colorMode: 'rainbow' is not one of"),
    ("Checkout requests/s", lambda p: p["options"].update(colour="red"),
     "options: Additional properties are not allowed ('colour' was unexpected)"),
    ("Checkout: errors", lambda p: p["fieldConfig"]["defaults"]["custom"].update(lineWidth="2"),
     "fieldConfig/defaults/custom/lineWidth: '2' is not of type 'number'"),
])
def test_schema_rejects_a_broken_panel(dashboard_checker, dashboard, title, change, expected):
    index = next(i for i, p in enumerate(dashboard["panels"]) if p.get("title") == title)
    problems = dashboard_checker.problems(broken(dashboard, title, change))
    assert any(p.startswith(f"panels/{index}") and expected in p for p in problems), problems
