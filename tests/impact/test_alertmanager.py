"""The Alertmanager config: valid for the real amtool, routed by journey and severity, inhibition from the map."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from obsgen.artifacts.alertmanager import amtool, config as alertmanager
from obsgen.artifacts.alertmanager.amtool import AmtoolNotFound, check_config_file, find_amtool, routes_test
from obsgen.artifacts.alertmanager.config import INHIBIT_ONLY_RECEIVER, config
from obsgen.artifacts.alertmanager.emit import check_config, emit_alertmanager
from obsgen.artifacts.impact import impact_map
from obsgen.artifacts.prometheus.recently_down import held_back
from obsgen.build.load import parse_journey
from tests.conftest import ROOT
from tests.impact.helpers import CHAIN_SPEC, chain_journey

GENERATED = ROOT / "generated" / "purchase"
CONFIG = GENERATED / "alertmanager" / "alertmanager.yaml"

pytestmark = pytest.mark.integration  # runs the real amtool


def fired_labels(rule: dict) -> dict[str, str]:
    """The labels Prometheus sends for a firing alert of this rule."""
    return {**rule["labels"], "alertname": rule["alert"]}


def generated_rules() -> list[dict]:
    doc = yaml.safe_load((GENERATED / "prometheus" / "alerts.rules.yaml").read_text())
    return [rule for group in doc["groups"] for rule in group["rules"]]


def matches(matcher: str, labels: dict[str, str]) -> bool:
    """Evaluate one Alertmanager matcher of the forms obsgen writes (= and anchored =~)."""
    name, op, value = re.fullmatch(r'([a-zA-Z_][a-zA-Z0-9_]*)(=~|=)"(.*)"', matcher).groups()
    actual = labels.get(name, "")
    return actual == value if op == "=" else re.fullmatch(value, actual) is not None


def test_generated_config_passes_amtool_check_config():
    assert check_config_file(CONFIG) == []
    assert CONFIG.read_text() == emit_alertmanager_text()


def emit_alertmanager_text() -> str:
    from obsgen.build.load import load_journey

    journey = load_journey(ROOT / "specs" / "purchase.yaml", source_name="specs/purchase.yaml")
    return emit_alertmanager(journey)[0].content


def test_config_for_a_chained_journey_passes_amtool(tmp_path):
    staged = tmp_path / "shop"
    (staged / "alertmanager").mkdir(parents=True)
    (staged / "alertmanager" / "alertmanager.yaml").write_text(emit_alertmanager(chain_journey())[0].content)
    assert check_config(staged, chain_journey()) == []


def test_validator_reports_what_amtool_rejects(tmp_path):
    staged = tmp_path / "purchase"
    (staged / "alertmanager").mkdir(parents=True)
    broken = CONFIG.read_text().replace("receiver: purchase-page", "receiver: nobody-page")
    (staged / "alertmanager" / "alertmanager.yaml").write_text(broken)
    problems = check_config(staged, chain_journey())
    assert problems and all(p.startswith("amtool check-config: alertmanager/alertmanager.yaml: ") for p in problems)
    assert any('undefined receiver "nobody-page"' in p for p in problems)


def test_amtool_is_found_through_the_environment_or_path(monkeypatch, tmp_path):
    link = tmp_path / "my-amtool"
    link.symlink_to(find_amtool())
    monkeypatch.setenv(amtool.ENV_VAR, str(link))
    assert find_amtool() == str(link)
    monkeypatch.setenv(amtool.ENV_VAR, str(tmp_path / "missing"))
    with pytest.raises(AmtoolNotFound, match="apt-get install prometheus-alertmanager"):
        find_amtool()
    monkeypatch.delenv(amtool.ENV_VAR)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty"))  # no pinned build either
    with pytest.raises(AmtoolNotFound, match="scripts/go-tools install amtool"):
        check_config_file(CONFIG)


# -- routing -------------------------------------------------------------------------------


def test_every_generated_alert_routes_to_its_journeys_severity_receiver():
    rules = generated_rules()
    assert rules
    for rule in rules:
        labels = fired_labels(rule)
        # Recently-down companions only inhibit: their receiver has no integration.
        expected = INHIBIT_ONLY_RECEIVER if labels["severity"] == "none" else f"purchase-{labels['severity']}"
        assert routes_test(CONFIG, labels) == [expected], rule["alert"]


def test_alerts_outside_the_journey_still_reach_a_receiver():
    assert routes_test(CONFIG, {"alertname": "Watchdog", "severity": "none"}) == ["purchase-ticket"]
    assert routes_test(CONFIG, {"alertname": "X", "journey": "purchase", "severity": "warning"}) == ["purchase-ticket"]
    assert routes_test(CONFIG, {"alertname": "X", "journey": "other", "severity": "page"}) == ["purchase-ticket"]


# -- inhibition, as configured -----------------------------------------------------------------


def test_inhibit_rules_are_the_impact_map(purchase_journey):
    impacts = impact_map(purchase_journey)
    rules = [r for r in yaml.safe_load(CONFIG.read_text())["inhibit_rules"] if not _companion_source(r)]
    assert len(rules) == len(impacts.impacts)
    by_name = {fired_labels(r)["alertname"]: fired_labels(r) for r in generated_rules()}
    for rule, impact in zip(rules, impacts.impacts, strict=True):
        assert rule["equal"] == ["journey"]
        for name, labels in by_name.items():
            is_source = all(matches(m, labels) for m in rule["source_matchers"])
            is_target = all(matches(m, labels) for m in rule["target_matchers"])
            assert is_source == (name == impact.cause.alert), (impact.dependency, name)
            assert is_target == (name in impact.symptom_alert_names), (impact.dependency, name)


def _companion_source(rule: dict) -> bool:
    return any(m.startswith('alertname="') and m.endswith('RecentlyDown"') for m in rule["source_matchers"])


def test_companion_inhibit_rules_hold_back_the_windowed_symptoms_per_severity(purchase_journey):
    """After the cause resolved, its RecentlyDown companion of each severity holds back that severity's
    symptoms that read windows; a dependant's down alert and missing data are never held back."""
    rules = [r for r in yaml.safe_load(CONFIG.read_text())["inhibit_rules"] if _companion_source(r)]
    alerts = [fired_labels(r) for r in generated_rules()]
    assert len(rules) == 2 * len(purchase_journey.dependencies)  # page and ticket for each
    for rule in rules:
        sources = [a for a in alerts if all(matches(m, a) for m in rule["source_matchers"])]
        source, = sources
        impact = impact_map(purchase_journey).of(source["dependency"])
        held = {a.alert for a in impact.symptoms if source["inhibits"] in a.severities} & set(held_back(impact.symptoms))
        targets = {a["alertname"] for a in alerts if all(matches(m, a) for m in rule["target_matchers"])}
        assert targets == held and all(a["severity"] == source["inhibits"] for a in alerts
                                       if all(matches(m, a) for m in rule["target_matchers"]))
        assert not targets & {"PurchaseCeleryWorkerDown", "PurchaseCheckoutSliDataMissing"}
        assert rule["equal"] == ["journey"]


def test_inhibition_is_limited_to_the_journey():
    rule = config(chain_journey())["inhibit_rules"][0]
    cause = {"alertname": "ShopDiskDown", "journey": "shop"}
    symptom = {"alertname": "ShopDbDown", "journey": "shop"}
    assert all(matches(m, cause) for m in rule["source_matchers"])
    assert all(matches(m, symptom) for m in rule["target_matchers"])
    assert not all(matches(m, {**symptom, "journey": "other"}) for m in rule["target_matchers"])
    assert not all(matches(m, {**cause, "journey": "other"}) for m in rule["source_matchers"])


def test_a_dependency_whose_failure_causes_no_alert_gets_no_inhibit_rule():
    text = CHAIN_SPEC.replace("    - {name: browse-ok, type: availability, stages: [browse], objective: 99.9}\n", "")
    journey = parse_journey(text, "shop.yaml")
    impacts = impact_map(journey)
    assert impacts.of("cdn").symptoms == ()
    sources = [r["source_matchers"][0] for r in config(journey)["inhibit_rules"] if not _companion_source(r)]
    assert 'alertname="ShopCdnDown"' not in sources
    assert len(sources) == 3
    companions = [r["source_matchers"][0] for r in config(journey)["inhibit_rules"] if _companion_source(r)]
    assert 'alertname="ShopCdnRecentlyDown"' not in companions


def test_receivers_are_placeholders_that_send_nothing():
    doc = yaml.safe_load(CONFIG.read_text())
    assert doc["receivers"] == [{"name": "purchase-page"}, {"name": "purchase-ticket"}, {"name": INHIBIT_ONLY_RECEIVER}]
    assert "Receivers are placeholders" in CONFIG.read_text()


def test_page_route_is_faster_than_ticket_route():
    routes = yaml.safe_load(CONFIG.read_text())["route"]["routes"][0]["routes"]
    silent, page, ticket = routes
    assert silent == {"matchers": ['severity="none"'], "receiver": INHIBIT_ONLY_RECEIVER}
    assert page["matchers"] == ['severity="page"'] and page["group_wait"] == "30s"
    assert ticket["matchers"] == ['severity="ticket"'] and ticket["repeat_interval"] == "24h"


def test_alertname_regex_escapes_anything_unusual():
    assert alertmanager.any_of("alertname", ["A.b", 'C"d']) == 'alertname=~"A\\\\.b|C\\\\\\"d"'
    assert re.fullmatch("A\\.b|C\\\"d", 'C"d')
    assert Path(CONFIG).is_file()
