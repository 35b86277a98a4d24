"""Every generated dashboard validates against Grafana's published dashboard JSON Schema (pinned)."""

from __future__ import annotations

import hashlib
import json

from grafanalib import core as gl

from obsgen.dashboards import grafana
from tests.conftest import ROOT
from tests.dashboards.conftest import SCHEMA_PATH

PINNED_SHA256 = "0324761f02bc6a8a528e07bc25a3d5d4a4052e21c3e3c775bdd7c3a260e966b8"


def _errors(validator, document) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator.iter_errors(document)]


def test_vendored_schema_is_the_pinned_copy():
    assert hashlib.sha256(SCHEMA_PATH.read_bytes()).hexdigest() == PINNED_SHA256


def test_built_dashboard_matches_grafana_schema(schema_validator, dashboard):
    assert _errors(schema_validator, dashboard) == []


def test_every_committed_dashboard_matches_grafana_schema(schema_validator):
    files = sorted(ROOT.glob("generated/*/grafana/dashboards/*.json"))
    assert files, "no generated dashboards found"
    for path in files:
        assert _errors(schema_validator, json.loads(path.read_text())) == [], path


def test_raw_grafanalib_output_is_rejected(schema_validator):
    """The schema is strict enough to catch what the wrapper fixes (legacy keys, string thresholds)."""
    panel = gl.TimeSeries(title="t", targets=[gl.Target(expr="up", refId="A")],
                          thresholds=[gl.Threshold("green", 0, 0.0)], gridPos=gl.GridPos(h=8, w=12, x=0, y=0), id=1)
    raw = json.loads(json.dumps(gl.Dashboard(title="raw", uid="raw", panels=[panel]).to_json_data(),
                                cls=grafana.DashboardEncoder))
    errors = _errors(schema_validator, raw)
    assert any("Additional properties" in e for e in errors)


def test_schema_rejects_a_panel_overlapping_the_grid_edge(schema_validator, dashboard):
    broken = json.loads(json.dumps(dashboard))
    broken["panels"][1]["gridPos"]["w"] = 25
    assert _errors(schema_validator, broken)
