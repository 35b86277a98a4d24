"""obsgen diff: semantic, one line per changed rule or panel."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from obsgen.artifacts.built import Dashboard, DeliveryInputs, from_artifacts
from obsgen.build import pipeline
from obsgen.build.load import load_journey, source_name
from obsgen.cli import main
from obsgen.clients.grafana import GrafanaClient, RetryPolicy
from obsgen.diff import diff_inputs, exprs
from obsgen.diff.dashboards import dashboard_changes
from obsgen.diff.sources import from_built_directory, from_grafana
from obsgen.push.deliver import push_journey
from tests.conftest import PURCHASE_SPEC
from tests.push.fake_grafana import FakeGrafana


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "specs").mkdir()
    shutil.copy(PURCHASE_SPEC, tmp_path / "specs" / "purchase.yaml")
    pipeline.build(tmp_path / "specs" / "purchase.yaml", tmp_path / "generated", validate=False)
    return tmp_path


def edit_spec(project: Path, old: str, new: str) -> Path:
    spec = project / "specs" / "purchase.yaml"
    text = spec.read_text()
    assert text.count(old) == 1, old
    spec.write_text(text.replace(old, new))
    return spec


def fresh(spec: Path):
    journey = load_journey(spec, source_name=source_name(spec, spec.parent.parent / "generated"))
    return from_artifacts(pipeline.emit_all(journey))


def test_unchanged_spec_has_no_differences(project: Path):
    spec = project / "specs" / "purchase.yaml"
    report = diff_inputs(from_built_directory(project / "generated", load_journey(spec)), fresh(spec), old_label="x")
    assert report.lines == []
    assert report.render() == "no differences\n"


def test_one_threshold_change_is_one_line(project: Path):
    spec = edit_spec(project, "threshold: 0.05", "threshold: 0.04")
    report = diff_inputs(from_built_directory(project / "generated", load_journey(spec)), fresh(spec), old_label="x")
    rules = dict(report.sections).get("rules:")
    assert rules == ["alert HighCheckoutErrorRate: expr threshold 0.05 -> 0.04; annotations changed: description, summary"]
    # A dashboard may draw that threshold on one panel; it must not show up as more than that panel.
    assert all(len(lines) <= 1 for header, lines in report.sections if header.startswith("dashboard"))


def test_removed_and_added_alerts_are_named(project: Path):
    spec = edit_spec(project, "          name: SlowCheckoutPerformance\n", "          name: CheckoutTooSlow\n")
    report = diff_inputs(from_built_directory(project / "generated", load_journey(spec)), fresh(spec), old_label="x")
    rules = dict(report.sections)["rules:"]
    assert "alert SlowCheckoutPerformance: removed" in rules
    assert "alert CheckoutTooSlow: added" in rules


def test_selector_change_shows_the_changed_matcher(project: Path):
    spec = edit_spec(project, "handler: /products", "handler: /catalogue")
    report = diff_inputs(from_built_directory(project / "generated", load_journey(spec)), fresh(spec), old_label="x")
    line = next(l for l in report.lines if l.startswith("record journey_stage:requests:rate5m{journey=purchase,stage=browse}"))
    assert line.endswith('expr `handler="/products"` -> `handler="/catalogue"`')


def test_page_and_ticket_alerts_of_one_slo_are_told_apart(project: Path):
    spec = edit_spec(project, "      objective: 99.9\n    - name: checkout-latency", "      objective: 99.5\n    - name: checkout-latency")
    report = diff_inputs(from_built_directory(project / "generated", load_journey(spec)), fresh(spec), old_label="x")
    rules = dict(report.sections)["rules:"]
    # the page's low-traffic guards follow the budget: 1 / (14.4 x 0.005) -> 14 events, 1 / (6 x 0.005) -> 34
    assert any(l.startswith("alert PurchaseCheckoutSuccessErrorBudgetBurn (page): expr values 0.001 -> 0.005, "
                            "70 -> 14, 167 -> 34") for l in rules)
    assert any(l.startswith("alert PurchaseCheckoutSuccessErrorBudgetBurn (ticket): expr threshold 0.001 -> 0.005") for l in rules)


# --------------------------------------------------------------------------- expressions


@pytest.mark.parametrize("old, new, expected", [
    ("rate(x[5m]) > 0.05", "rate(x[5m]) > 0.04", "threshold 0.05 -> 0.04"),
    ("a > (14.4 * 0.001) and b > (14.4 * 0.001)", "a > (14.4 * 0.005) and b > (14.4 * 0.005)", "threshold 0.001 -> 0.005"),
    ("a > 1 and b < 2", "a > 3 and b < 4", "values 1 -> 3, 2 -> 4"),
    ("rate(x[5m]) > 1", "rate(x[10m]) > 1", "`x[5m` -> `x[10m`"),
    ('sum(rate(x{job="api"}[5m]))', 'sum by (le) (rate(x{job="api"}[5m]))', "`sum` -> `sum by (le)`"),
])
def test_expression_changes_read_as_one_phrase(old, new, expected):
    assert exprs.describe(old, new) == expected


def test_layout_only_expression_changes_are_no_change():
    assert exprs.describe("sum(\n  rate(x[5m])\n)", "sum( rate(x[5m]) )") is None


# --------------------------------------------------------------------------- dashboards


def board(threshold: float = 0.05, extra_panel: bool = False, title: str = "Checkout p95") -> dict:
    panels = [
        {"id": 1, "type": "row", "title": "Stages", "collapsed": True, "gridPos": {"x": 0, "y": 0, "w": 24, "h": 1},
         "panels": [{"id": 12, "type": "timeseries", "title": title, "gridPos": {"x": 0, "y": 1, "w": 12, "h": 8},
                     "targets": [{"refId": "A", "expr": f"journey_stage:latency_seconds:p95_rate5m > {threshold}",
                                  "legendFormat": "{{stage}}"}],
                     "fieldConfig": {"defaults": {"unit": "s", "thresholds": {"mode": "absolute", "steps": [
                         {"color": "green", "value": None}, {"color": "red", "value": threshold}]}}}}]},
    ]
    if extra_panel:
        panels.append({"id": 40, "type": "stat", "title": "Orders", "targets": []})
    return {"uid": "obsgen-purchase", "title": "Purchase", "panels": panels,
            "templating": {"list": [{"name": "stage", "type": "query", "query": "label_values(stage)"}]}}


def test_panel_query_and_threshold_change_is_one_line_for_the_panel():
    lines = dashboard_changes(board(0.5), board(0.25))
    assert lines == ['panel "Checkout p95" (id 12): target A expr threshold 0.5 -> 0.25; thresholds [None, 0.5] -> [None, 0.25]']


def test_panels_added_removed_and_retitled():
    assert dashboard_changes(board(), board(extra_panel=True)) == ['panel "Orders" (id 40): added']
    assert dashboard_changes(board(extra_panel=True), board()) == ['panel "Orders" (id 40): removed']
    assert dashboard_changes(board(), board(title="Checkout latency p95")) == [
        'panel "Checkout latency p95" (id 12): title \'Checkout p95\' -> \'Checkout latency p95\'']


def test_variables_and_settings_changes():
    new = copy.deepcopy(board())
    new["templating"]["list"][0]["query"] = "label_values(journey_stage:requests:rate5m, stage)"
    new["panels"][0]["panels"][0]["fieldConfig"]["defaults"]["unit"] = "ms"
    assert dashboard_changes(board(), new) == [
        "variable $stage: query 'label_values(stage)' -> 'label_values(journey_stage:requests:rate5m, stage)'",
        'panel "Checkout p95" (id 12): fieldConfig defaults.unit \'s\' -> \'ms\'',
    ]


def test_diff_against_grafana_compares_the_deployed_dashboards(purchase_journey):
    def inputs(model: dict) -> DeliveryInputs:
        return DeliveryInputs((), (Dashboard("purchase.json", model, json.dumps(model)),))

    grafana = FakeGrafana({"token": "Editor"}).start()
    try:
        client = GrafanaClient(grafana.url, "token", retry=RetryPolicy(backoff=0))
        push_journey(client, purchase_journey, inputs(board(0.5)).dashboards)
        report = diff_inputs(from_grafana(client, inputs(board(0.25))), inputs(board(0.25)), old_label=grafana.url,
                             compare_rules=False)
    finally:
        grafana.stop()
    assert report.sections == [("dashboard obsgen-purchase:", [
        'panel "Checkout p95" (id 12): target A expr threshold 0.5 -> 0.25; thresholds [None, 0.5] -> [None, 0.25]'])]
    assert report.notes == [f"rules not compared: {grafana.url} holds dashboards only"]


def test_dashboard_missing_on_one_side():
    old = DeliveryInputs((), ())
    new = DeliveryInputs((), (Dashboard("purchase.json", board(), json.dumps(board())),))
    assert diff_inputs(old, new, old_label="x").sections == [("dashboard obsgen-purchase:", ["added ('Purchase')"])]
    assert diff_inputs(new, old, old_label="x").sections == [("dashboard obsgen-purchase:", ["removed"])]


# --------------------------------------------------------------------------- the command


def test_cli_diff_exit_code_and_against(project: Path, monkeypatch):
    monkeypatch.chdir(project)
    runner = CliRunner()
    same = runner.invoke(main, ["diff", "specs/purchase.yaml", "--exit-code"])
    assert same.exit_code == 0 and same.output == "no differences\n", same.output
    edit_spec(project, "threshold: 0.05", "threshold: 0.04")
    changed = runner.invoke(main, ["diff", "specs/purchase.yaml", "--against", "generated/purchase", "--exit-code"])
    assert changed.exit_code == 1
    assert "  alert HighCheckoutErrorRate: expr threshold 0.05 -> 0.04" in changed.output
    missing = runner.invoke(main, ["diff", "specs/purchase.yaml", "--against", "nowhere"])
    assert missing.exit_code == 1 and "no such directory" in missing.output
