"""The generated rule tests: complete coverage, hand-checkable values, and promtool agreeing.

Coverage is read from the committed files under generated/purchase/ (the ones reviewers see);
`obsgen build --check` keeps them equal to a fresh build.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from obsgen.cli import main
from obsgen.errors import ValidationFailed
from tests.conftest import PURCHASE_SPEC, ROOT

GENERATED = ROOT / "generated" / "purchase"
TEST_FILE = GENERATED / "tests" / "purchase.tests.yaml"


@pytest.fixture(scope="module")
def test_doc() -> dict:
    return yaml.safe_load(TEST_FILE.read_text())


@pytest.fixture(scope="module")
def generated_alerts() -> list[dict]:
    doc = yaml.safe_load((GENERATED / "prometheus" / "alerts.rules.yaml").read_text())
    return [rule for group in doc["groups"] for rule in group["rules"]]


@pytest.fixture(scope="module")
def generated_records() -> list[dict]:
    doc = yaml.safe_load((GENERATED / "prometheus" / "recording.rules.yaml").read_text())
    return [rule for group in doc["groups"] for rule in group["rules"]]


def alert_checks(doc: dict):
    for group in doc["tests"]:
        for check in group.get("alert_rule_test") or []:
            yield group["name"], check


def test_the_test_file_reads_the_generated_rule_files(test_doc):
    assert test_doc["rule_files"] == ["../prometheus/recording.rules.yaml", "../prometheus/alerts.rules.yaml"]
    assert test_doc["group_eval_order"][-1] == "obsgen-purchase-alerts"


def test_every_generated_alert_fires_in_one_scenario_and_is_asserted_silent_in_another(test_doc, generated_alerts):
    fires: dict[tuple[str, str], set[str]] = {}
    silent: dict[tuple[str, str], set[str]] = {}
    for scenario, check in alert_checks(test_doc):
        severities = {a["exp_labels"]["severity"] for a in check["exp_alerts"]}
        for rule in generated_alerts:
            if rule["alert"] != check["alertname"]:
                continue
            key = (rule["alert"], rule["labels"]["severity"])
            (fires if key[1] in severities else silent).setdefault(key, set()).add(scenario)
    for rule in generated_alerts:
        key = (rule["alert"], rule["labels"]["severity"])
        assert fires.get(key), f"{key} never fires in any scenario"
        assert silent.get(key), f"{key} is never asserted silent"
        # ...and in some scenario it is asserted silent before it fires ("at the minute, not before")
        assert fires[key] & silent[key], f"{key} is never asserted silent in a scenario where it fires"


def test_firing_alerts_carry_the_routing_labels_and_the_summary(test_doc, generated_alerts):
    by_name = {}
    for rule in generated_alerts:
        by_name.setdefault(rule["alert"], []).append(rule)
    for _, check in alert_checks(test_doc):
        for expected in check["exp_alerts"]:
            labels = expected["exp_labels"]
            # severity tells a burn rate's page and ticket apart; inhibits a companion's page and ticket rules
            rule = next(r for r in by_name[check["alertname"]]
                        if all(labels.get(k) == r["labels"][k] for k in ("severity", "inhibits") if k in r["labels"]))
            assert {k: labels[k] for k in rule["labels"]} == rule["labels"]  # severity, journey, slo/stage/dependency
            assert expected["exp_annotations"]["summary"] == rule["annotations"]["summary"]


def _series(expr: str) -> tuple[str, dict[str, str]]:
    name, _, rest = expr.partition("{")
    return name, dict(re.findall(r'([a-zA-Z_]+)="([^"]*)"', rest))


def test_every_recording_rule_has_a_value_check(test_doc, generated_records):
    checked = [_series(case["expr"]) for group in test_doc["tests"] for case in group.get("promql_expr_test") or []]
    for rule in generated_records:
        labels = rule.get("labels") or {}
        assert any(name == rule["record"] and labels.items() <= found.items() for name, found in checked), \
            f"{rule['record']}{labels} has no promql_expr_test"


def expected_value(doc: dict, expr: str) -> float:
    for group in doc["tests"]:
        for case in group.get("promql_expr_test") or []:
            if case["expr"] == expr:
                return case["exp_samples"][0]["value"]
    raise KeyError(expr)


def test_known_inputs_give_the_values_worked_out_by_hand(test_doc):
    def value(record, slo):
        return expected_value(test_doc, f'{record}{{journey="purchase",slo="{slo}"}}')

    # 10 errors in 1000 requests, every minute
    assert value("slo:sli_error:ratio_rate5m", "checkout-success") == pytest.approx(0.01)
    assert value("slo:sli_error:ratio_rate3d", "checkout-success") == pytest.approx(0.01)
    # burn rate = error ratio / budget: 0.01 / 0.001 and 0.01 / 0.0005
    assert value("slo:current_burn_rate:ratio", "checkout-success") == pytest.approx(10)
    assert value("slo:current_burn_rate:ratio", "storefront-availability") == pytest.approx(20)
    # a whole period at 10x leaves 1 - 10 of the budget
    assert value("slo:period_error_budget_remaining:ratio", "checkout-success") == pytest.approx(-9)
    # latency: buckets 0.005 .. 0.5 hold 10+20+...+70 = 280 of 790 events (12 buckets and 10 beyond)
    assert value("slo:sli_error:ratio_rate5m", "checkout-latency") == pytest.approx(1 - 280 / 790)
    # the journey takes 10 s or less for 10+..+60 = 210 of 560 events
    assert value("slo:sli_error:ratio_rate5m", "order-completion") == pytest.approx(1 - 210 / 560)


@pytest.mark.integration
@pytest.mark.slow
def test_obsgen_test_passes_on_the_committed_output():
    result = CliRunner().invoke(main, ["test", str(PURCHASE_SPEC), "--out", str(ROOT / "generated")])
    assert result.exit_code == 0, result.output
    assert "assertions passed" in result.output


def _broken_copy(tmp_path: Path, file: str, old: str, new: str) -> Path:
    out = tmp_path / "generated"
    shutil.copytree(GENERATED, out / "purchase")
    target = out / "purchase" / "prometheus" / file
    text = target.read_text()
    assert old in text
    target.write_text(text.replace(old, new, 1))
    return out


@pytest.mark.integration
@pytest.mark.slow
def test_a_broken_alert_fails_naming_the_alert_and_the_scenario(tmp_path):
    # The checkout-success page holds for 2m; make it 5m: the hard outage now pages 3 minutes late.
    page = "- alert: PurchaseCheckoutSuccessErrorBudgetBurn\n"
    text = (GENERATED / "prometheus" / "alerts.rules.yaml").read_text()
    start = text.index(page)
    block = text[start:text.index("- alert:", start + 1)]
    out = _broken_copy(tmp_path, "alerts.rules.yaml", block, block.replace("for: 2m", "for: 5m"))
    result = CliRunner().invoke(main, ["test", str(PURCHASE_SPEC), "--out", str(out)])
    assert result.exit_code == 1
    assert "FAIL alert PurchaseCheckoutSuccessErrorBudgetBurn in scenario 'hard outage:" in result.output
    assert f"({out / 'purchase' / 'tests' / 'purchase.tests.yaml'}):" in result.output  # the file asked for
    assert "exp:" in result.output and "got:" in result.output
    assert "assertions failed" in result.output


@pytest.mark.integration
@pytest.mark.slow
def test_a_broken_recording_rule_fails_naming_the_series(tmp_path):
    out = _broken_copy(tmp_path, "recording.rules.yaml", 'code=~"5.."}[5m]', 'code=~"4.."}[5m]')
    result = CliRunner().invoke(main, ["test", str(PURCHASE_SPEC), "--out", str(out)])
    assert result.exit_code == 1
    assert ("FAIL recording rule check `slo:sli_error:ratio_rate5m{journey=\"purchase\",slo=\"checkout-success\"}` "
            "in scenario 'recording rules on known inputs") in result.output


@pytest.mark.integration
@pytest.mark.slow
def test_build_refuses_rules_that_fail_their_tests(tmp_path, monkeypatch):
    """A generator bug that breaks an alert's PromQL but not its meaning is caught before publishing."""
    import importlib

    from obsgen.build import pipeline

    # the package re-exports a function of the same name, so fetch the module itself
    dependency_alerts = importlib.import_module("obsgen.artifacts.prometheus.dependency_alerts")
    original = dependency_alerts.down_alert

    def wrong_threshold(*args):
        alert = original(*args)
        return type(alert)(**{**alert.__dict__, "expr": alert.expr.replace("< 1", "< 0")})

    monkeypatch.setattr(dependency_alerts, "down_alert", wrong_threshold)
    with pytest.raises(ValidationFailed) as failure:
        pipeline.build(PURCHASE_SPEC, tmp_path)
    assert "FAIL alert PurchaseDatabaseDown in scenario 'health reports 0:" in str(failure.value)
    assert not (tmp_path / "purchase").exists()


def test_a_missing_out_directory_is_an_error_not_a_fresh_build(tmp_path):
    """`obsgen test --out <typo>` used to test a fresh build and exit 0, hiding the typo."""
    typo = tmp_path / "generatd"
    result = CliRunner().invoke(main, ["test", str(PURCHASE_SPEC), "--out", str(typo)])
    assert result.exit_code == 2, result.output
    assert f"{typo}: no such output directory" in result.output and "--fresh" in result.output
    assert not typo.exists()
