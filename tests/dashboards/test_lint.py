"""The generated dashboard passes `obsgen lint` (Grafana dashboard-linter's and mixtool's checks)."""

from __future__ import annotations

import pytest

from obsgen.lint import lint_paths
from obsgen.render import dump_json
from tests.conftest import ROOT

pytestmark = pytest.mark.integration  # the PromQL check runs promtool


def test_committed_dashboard_passes_obsgen_lint():
    report = lint_paths([str(ROOT / "generated/purchase/grafana/dashboards/purchase.json")])
    assert report.errors == ()
    assert [(f.check, f.json_path, f.message) for f in report.findings] == []


def test_lint_sees_our_dashboard_when_it_is_broken(dashboard, tmp_path):
    """Guard against a vacuous pass: the same file with a hard-coded datasource and a fixed rate window fails."""
    broken = dump_json(dashboard).replace('"uid": "${datasource}"', '"uid": "obsgen-prometheus"', 1)
    broken = broken.replace("[$__rate_interval]", "[5m]", 1)
    path = tmp_path / "broken.json"
    path.write_text(broken)
    checks = {f.check for f in lint_paths([str(path)]).findings}
    assert {"dashboard/datasource", "dashboard/rate-interval"} <= checks
