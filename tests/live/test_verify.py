"""`obsgen verify` against the live native stack, after a short load test."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from obsgen.clients.prometheus import PrometheusApi
from obsgen.verify.artifacts import build
from obsgen.verify.panels import PROMETHEUS, targets
from tests.conftest import PURCHASE_SPEC
from tests.live.conftest import CATALOGUE_SPEC, VERIFY_WINDOW

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def obsgen(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "obsgen", *map(str, args)], capture_output=True, text=True,
                          timeout=300, check=False)


def verify_json(stack, spec: Path) -> tuple[int, dict]:
    result = obsgen("verify", spec, "--prometheus", stack.prometheus, "--alertmanager", stack.alertmanager,
                    "--window", VERIFY_WINDOW, "--format", "json", "--generated", stack.generated_dir)
    assert result.stdout, result.stderr
    return result.returncode, json.loads(result.stdout)


def misspelt_spec(tmp_path: Path, old: str, new: str) -> Path:
    text = PURCHASE_SPEC.read_text()
    assert old in text
    spec = tmp_path / "purchase.yaml"
    spec.write_text(text.replace(old, new))
    return spec


@pytest.mark.parametrize("spec", [PURCHASE_SPEC, CATALOGUE_SPEC], ids=["purchase", "catalogue"])
def test_verify_passes_for_each_journey_of_the_fleet_after_load(loaded_stack, spec):
    code, report = verify_json(loaded_stack, spec)
    assert code == 0, "\n".join(report["problems"])
    assert report["ok"] and not report["problems"]
    built = build(spec, loaded_stack.generated_dir)
    # Every generated rule group was found loaded, healthy, with its evaluation cost.
    assert sorted(g["group"] for g in report["rule_groups"]) == sorted(name for _, name in built.groups)
    assert all(g["status"] == "ok" and g["evaluation_seconds"] is not None for g in report["rule_groups"])
    # Every Prometheus query of the dashboard was evaluated, and had data (or can only have it under failure).
    dashboard = built.dashboards[0][1]
    prometheus_targets = [t for t in targets(dashboard) if t.datasource == PROMETHEUS]
    queried = [p for p in report["panels"] if p["status"] != "skipped"]
    assert len(queried) == len(prometheus_targets) > 0
    assert all(p["wall_seconds"] is not None and p["eval_seconds"] is not None for p in queried)
    assert sum(p["status"] == "data" for p in queried) > len(queried) // 2
    # The raw selectors of the model were all found; error selectors may wait for a failure.
    assert {s["status"] for s in report["selectors"]} <= {"ok", "conditional"}
    assert report["totals"]["dashboard_queries"] == len(queried)
    assert report["alertmanager"] == []


def test_the_shared_dependency_alert_is_loaded_once_and_healthy(loaded_stack):
    groups = PrometheusApi(loaded_stack.prometheus).rules()
    alerts = [r["name"] for g in groups for r in g["rules"] if r["type"] == "alerting"]
    assert alerts.count("DatabaseDown") == 1
    assert not {"PurchaseDatabaseDown", "CatalogueDatabaseDown"} & set(alerts)
    shared = next(g for g in groups if g["name"] == "obsgen-shared-dependencies")
    assert all(r["health"] == "ok" and r["state"] == "inactive" for r in shared["rules"]), shared


def test_verify_table_says_ok(loaded_stack):
    result = obsgen("verify", PURCHASE_SPEC, "--prometheus", loaded_stack.prometheus,
                    "--generated", loaded_stack.generated_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: every metric exists" in result.stdout
    assert "Rule groups loaded by Prometheus" in result.stdout and "cost:" in result.stdout


def test_verify_names_a_misspelt_metric_and_who_needs_it(loaded_stack, tmp_path):
    spec = misspelt_spec(tmp_path, "histogram: purchase_journey_duration_seconds", "histogram: purchase_journey_seconds")
    code, report = verify_json(loaded_stack, spec)
    assert code == 1
    missing = {s["selector"]: s for s in report["selectors"] if s["status"] == "missing-metric"}
    bucket = missing['purchase_journey_seconds_bucket{job="worker"}']
    assert bucket["detail"].startswith("no metric named purchase_journey_seconds_bucket in Prometheus "
                                       "(did you mean purchase_journey_duration_seconds_bucket")
    assert "rule journey:journey_time_seconds:p95_rate5m" in bucket["users"]
    assert "panel 'Click to confirmation e-mail: end-to-end time'" in bucket["users"]
    assert any("no metric named purchase_journey_seconds_bucket" in p for p in report["problems"])
    # Prometheus still runs the rules of the real spec: verify says they are not this spec's.
    assert any(g["status"] == "stale" for g in report["rule_groups"])


def test_verify_names_a_label_value_no_series_has(loaded_stack, tmp_path):
    spec = misspelt_spec(tmp_path, "handler: /checkout,", "handler: /checkouts,")
    result = obsgen("verify", spec, "--prometheus", loaded_stack.prometheus, "--generated", loaded_stack.generated_dir)
    assert result.returncode == 1
    assert 'handler="/checkouts" matches none of the values [' in result.stdout
    assert "(did you mean /checkout?)" in result.stdout
    assert "FAILED:" in result.stdout

