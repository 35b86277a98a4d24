"""Reading what the lint is given: each file read and decoded once."""

from __future__ import annotations

import pytest

from obsgen.lint import lint_paths, source
from tests.conftest import ROOT


@pytest.mark.integration  # the lint's promtool parses the dashboard's queries
def test_a_dashboard_is_decoded_once_per_lint(monkeypatch):
    """Telling a dashboard from a JSON rule file decodes it; the lint reads that decoding, not a second one
    (a journey's dashboard is ~200 KB, a fleet's build lints one per journey)."""
    decoded: list[str] = []
    load_json = source.load_json

    def counted(path: str, text: str):
        decoded.append(path)
        return load_json(path, text)
    monkeypatch.setattr(source, "load_json", counted)
    monkeypatch.setattr("obsgen.lint.dashboards.model.load_json", counted)
    dashboard = str(ROOT / "generated" / "purchase" / "grafana" / "dashboards" / "purchase.json")
    report = lint_paths([dashboard])
    assert decoded == [dashboard] and not report.errors
