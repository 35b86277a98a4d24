"""The grafanalib wrapper fixes grafanalib's defaults in one place."""

from __future__ import annotations

import pytest

from obsgen.artifacts.grafana import grafana as g
from tests.conftest import ROOT
from tests.dashboards.conftest import panels


def test_modern_defaults(dashboard):
    assert dashboard["schemaVersion"] == g.SCHEMA_VERSION == 39
    for panel in panels(dashboard):
        assert "maxDataPoints" not in panel and "span" not in panel and "height" not in panel
        steps = panel["fieldConfig"]["defaults"].get("thresholds", {"steps": [{"value": None}]})["steps"]
        assert steps[0]["value"] is None, panel["title"]
        assert all(isinstance(s["value"], (int, float)) for s in steps[1:]), panel["title"]


def test_thresholds_must_start_at_the_base_and_increase():
    with pytest.raises(ValueError):
        g.thresholds([g.Step(g.GREEN, 1)])
    with pytest.raises(ValueError):
        g.thresholds([g.Step(g.GREEN), g.Step(g.RED, 2), g.Step(g.YELLOW, 1)])


def test_prometheus_targets_are_in_grafana_10_form(dashboard):
    target = next(t for p in panels(dashboard) for t in p.get("targets", []) if "expr" in t)
    assert target["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
    assert {"query", "target", "step", "intervalFactor", "metric"}.isdisjoint(target)


def test_no_extra_json_anywhere_in_the_dashboards_package():
    sources = (ROOT / "obsgen/artifacts/grafana").rglob("*.py")
    assert not [p for p in sources if "extraJson=" in p.read_text()]
