"""The examples with raw-PromQL SLIs, time-slice SLOs, failures and custom alerts build clean, and
their generated rule tests pass in the real promtool; a custom alert fires from given input series."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from obsgen.artifacts.prometheus import all_alerts, rule_groups
from obsgen.artifacts.prometheus.sli import SLI_TIMESLICE
from obsgen.artifacts.ruletests import generation as generation_module
from obsgen.artifacts.ruletests.reference import Reference
from obsgen.artifacts.ruletests.world import Phase, WorldBuilder
from obsgen.build.load import load_journey
from obsgen.tools import promtool
from tests.conftest import ROOT

EXAMPLES = ROOT / "specs" / "examples"
KAFKA, BACKUP = EXAMPLES / "kafka-consumer.yaml", EXAMPLES / "nightly-backup.yaml"


def build(out: Path) -> dict[str, Path]:
    """Both examples as one fleet (as `obsgen build specs/examples/` builds them), each journey's directory."""
    result = subprocess.run([sys.executable, "-m", "obsgen", "build", str(KAFKA), str(BACKUP), "--out", str(out)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return {spec.name: out / load_journey(spec).name for spec in (KAFKA, BACKUP)}


def tree(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    return build(tmp_path_factory.mktemp("examples"))


@pytest.mark.integration
@pytest.mark.parametrize("spec", [KAFKA, BACKUP], ids=lambda p: p.stem)
def test_example_builds_byte_identical_and_its_rule_tests_pass(spec, built, tmp_path):
    journey_dir = built[spec.name]
    assert tree(build(tmp_path)[spec.name]) == tree(journey_dir)
    tests = sorted((journey_dir / "tests").glob("*.tests.yaml"))
    result = promtool.test_rules(tests)
    assert result.failures == ()


@pytest.mark.integration
def test_raw_sli_alerts_are_tested_against_recorded_series_alone(built):
    tests = built[KAFKA.name] / "tests"
    recorded = tests / "order-stream.recorded-sli.tests.yaml"
    text = recorded.read_text()
    assert "obsgen cannot simulate" in text  # the file says why it exists
    doc = yaml.safe_load(text)
    assert doc["rule_files"] == ["../prometheus/alerts.rules.yaml"]
    inputs = {s["series"] for group in doc["tests"] for s in group["input_series"]}
    assert 'slo:sli_error:ratio_rate1h{journey="order-stream",slo="dead-letters"}' in inputs
    asserted = {t["alertname"] for group in doc["tests"] for t in group["alert_rule_test"]}
    assert asserted == {"OrderStreamDeadLettersErrorBudgetBurn"}
    fired = {t["alertname"] for group in doc["tests"] for t in group["alert_rule_test"] if t["exp_alerts"]}
    assert fired == asserted
    # the main file never feeds the series its own recording rules write
    main = yaml.safe_load((tests / "order-stream.tests.yaml").read_text())
    assert not any(s["series"].startswith("slo:") for group in main["tests"] for s in group["input_series"])


@pytest.mark.integration
def test_time_slice_and_failures_alerts_are_proven_firing(built):
    doc = yaml.safe_load((built[BACKUP.name] / "tests" / "nightly-backup.tests.yaml").read_text())
    fired = {(t["alertname"], a["exp_labels"]["severity"])
             for group in doc["tests"] for t in group.get("alert_rule_test", []) for a in t["exp_alerts"]}
    assert {("NightlyBackupBackupFreshnessErrorBudgetBurn", "page"), ("NightlyBackupBackupFreshnessErrorBudgetBurn", "ticket"),
            ("NightlyBackupBackupFailures", "ticket")} <= fired
    recorded = {t["expr"] for t in doc["tests"][0]["promql_expr_test"]}
    assert f'{SLI_TIMESLICE}{{journey="nightly-backup",slo="backup-freshness"}}' in recorded


def test_generated_promql_of_the_new_kinds():
    journey = load_journey(KAFKA)
    records = {(r.record, dict(r.labels).get("slo")): r.expr for g in rule_groups(journey) for r in g.rules
               if hasattr(r, "record")}
    assert records[("slo:sli_error:ratio_rate1h", "dead-letters")] == (
        '(\n  sum(delta(kafka_topic_partition_current_offset{topic="orders.DLT"}[1h]))\n)\n/\n'
        '(\n  sum(delta(kafka_consumergroup_current_offset{consumergroup="order-processor",topic="orders"}[1h]))\n  > 0\n)')
    assert records[(SLI_TIMESLICE, "consumer-lag")] == (
        '(sum(kafka_consumergroup_lag{consumergroup="order-processor",topic="orders"}) > bool 1000)\nor\nvector(1)')
    assert records[("slo:sli_error:ratio_rate6h", "consumer-lag")] == (
        'sum_over_time(slo:sli_error:timeslice{journey="order-stream",slo="consumer-lag"}[6h])\n/\n'
        'count_over_time(slo:sli_error:timeslice{journey="order-stream",slo="consumer-lag"}[6h])')
    backup = load_journey(BACKUP)
    failures = next(a for a in all_alerts(backup) if a.kind == "failures")
    assert failures.expr == 'sum(increase(backup_failures_total{job="nightly-backup"}[1d])) > 0'


def test_custom_alert_is_labelled_like_generated_ones():
    journey = load_journey(KAFKA)
    alert = next(a for a in all_alerts(journey) if a.alert == "OrderProcessorGroupEmpty")
    assert dict(alert.labels) == {"journey": "order-stream", "team": "fulfilment", "severity": "page",
                                  "stage": "consume", "dependency": "orders-kafka"}
    annotations = dict(alert.annotations)
    assert annotations["runbook_url"].endswith("/order-stream.md#orderprocessorgroupempty")
    assert annotations["dashboard_url"].startswith("http://localhost:3000/d/obsgen-order-stream/")


@pytest.mark.integration
def test_custom_alert_fires_from_given_input_series(built, tmp_path):
    """The Pushgateway keeps push_failure_time_seconds at 0 until a push fails (its README): at 10m a
    push fails, so the failure is newer than the last successful push and, a minute later, the alert fires."""
    journey_dir = built[BACKUP.name]
    rules = yaml.safe_load((journey_dir / "prometheus" / "alerts.rules.yaml").read_text())
    rule = next(r for g in rules["groups"] for r in g["rules"] if r.get("alert") == "NightlyBackupPushFailing")
    test = {
        "rule_files": [str(journey_dir / "prometheus" / "alerts.rules.yaml")],
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": [
                {"series": 'push_time_seconds{job="nightly-backup",instance=""}', "values": "300+0x20"},
                {"series": 'push_failure_time_seconds{job="nightly-backup",instance=""}', "values": "0+0x9 600+0x10"},
            ],
            "alert_rule_test": [
                {"eval_time": "10m", "alertname": "NightlyBackupPushFailing", "exp_alerts": []},
                {"eval_time": "11m", "alertname": "NightlyBackupPushFailing",
                 "exp_alerts": [{"exp_labels": rule["labels"], "exp_annotations": rule["annotations"]}]},
            ],
        }],
    }
    path = tmp_path / "custom-alert.tests.yaml"
    path.write_text(yaml.safe_dump(test, sort_keys=False))
    assert promtool.test_rules([path]).failures == ()
    # and the same test fails when the alert would not fire: the check is not vacuous
    test["tests"][0]["input_series"][1]["values"] = "0+0x20"
    path.write_text(yaml.safe_dump(test, sort_keys=False))
    assert promtool.test_rules([path]).failures != ()


@pytest.mark.integration
def test_custom_alert_tests_from_the_spec_run_in_every_build(built, tmp_path):
    doc = yaml.safe_load((built[KAFKA.name] / "tests" / "order-stream.custom-alerts.tests.yaml").read_text())
    assert doc["rule_files"] == ["../prometheus/alerts.rules.yaml"]
    (group,) = doc["tests"]
    assert [(t["eval_time"], bool(t["exp_alerts"])) for t in group["alert_rule_test"]] == [
        ("9m", False), ("14m", False), ("15m", True)]
    # a spec whose test is wrong (the alert holds 5m, so it is not firing at 12m) fails the build: exit 1
    wrong = tmp_path / "kafka-consumer.yaml"
    wrong.write_text(KAFKA.read_text().replace("firesAt: 15m", "firesAt: 12m"))
    result = subprocess.run([sys.executable, "-m", "obsgen", "build", str(wrong), "--out", str(tmp_path / "out")],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    assert "FAIL alert OrderProcessorGroupEmpty in scenario 'custom alert OrderProcessorGroupEmpty" in result.stdout + result.stderr
    assert not (tmp_path / "out" / "order-stream").exists()


@pytest.mark.parametrize(("generation", "evaluations", "ratio"), [(2, range(2, 8), 3 / 6), (3, range(3, 8), 3 / 5)])
def test_time_slice_windows_read_the_generations_range_of_evaluations(generation, evaluations, ratio):
    """sum_over_time/count_over_time of the recorded indicator at 7m over [5m]: 2.x's closed range holds the
    evaluations at 2m..7m, 3.x's left-open one 3m..7m. The gauge vanishes at 5m, so 5m, 6m and 7m are bad
    slices: promtool 2.42 records 50%, promtool 3 60%, and a test expecting the other generation's fails."""
    journey = load_journey(KAFKA)
    slo = next(s for s in journey.slos if s.name == "consumer-lag")
    builder = WorldBuilder(journey, 15)
    builder.timeslice(slo, [Phase(0, 0.0), Phase(5, None)])
    with generation_module.targeting(generation):
        reference = Reference(journey, builder.build())
        assert reference.evaluations_in(7, 300) == evaluations
        assert [reference.timeslice_bad(slo, step) for step in range(3, 8)] == [0, 0, 1, 1, 1]
        assert reference.sli(slo, 300, 7) == ratio
