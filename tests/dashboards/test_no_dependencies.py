"""A journey without dependencies (the section is optional) builds and validates: no dependency row,
variable or empty query on its dashboard or the index, an empty impact map, no inhibit rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from obsgen.artifacts.grafana.dashboard import build_dashboard
from obsgen.build import pipeline
from obsgen.build.load import parse_journey

SPEC = """\
apiVersion: obsgen/v1
kind: Journey
metadata:
  name: signup
  service: accounts
  team: growth
  runbookBaseUrl: https://runbooks.example.com/growth
spec:
  stages:
    - name: register
      profile: http
      match: {job: accounts, handler: /register, method: POST}
  slos:
    - {name: register-ok, type: availability, stages: [register], objective: 99.5}
"""


def _exprs(dashboard: dict) -> list[str]:
    return [t["expr"] for p in dashboard["panels"] for t in p.get("targets", []) if "expr" in t]


def test_the_dashboard_has_no_dependency_row_variable_or_empty_query():
    dashboard = build_dashboard(parse_journey(SPEC, "signup.yaml"))
    rows = [p["title"] for p in dashboard["panels"] if p["type"] == "row"]
    assert "Dependencies" not in rows and rows
    assert "dependency" not in [v["name"] for v in dashboard["templating"]["list"]]
    # No empty grouping or call; PromQL's argument-less time() and end() (the burn-down's ideal line) are whole.
    assert all(e.strip() and "()" not in e.replace(" ", "").replace("time()", "").replace("end()", "")
               for e in _exprs(dashboard))


@pytest.mark.integration
def test_a_journey_without_dependencies_builds_and_passes_every_check(tmp_path: Path):
    spec = tmp_path / "signup.yaml"
    spec.write_text(SPEC)
    out = tmp_path / "generated"
    pipeline.build(spec, out)  # promtool, obsgen lint (journey and index dashboards), amtool, rule tests
    impact = yaml.safe_load((out / "signup" / "impact" / "impact.yaml").read_text())
    assert impact["dependencies"] == {}
    config = yaml.safe_load((out / "signup" / "alertmanager" / "alertmanager.yaml").read_text())
    assert config["inhibit_rules"] == []
    index = json.loads((out / "_fleet" / "grafana" / "dashboards" / "obsgen-fleet.json").read_text())
    assert "Shared dependencies" not in [p["title"] for p in index["panels"] if p["type"] == "row"]
    runbook = (out / "signup" / "runbook" / "signup.md").read_text()
    assert "Dependencies:" not in runbook
