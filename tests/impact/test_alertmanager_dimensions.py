"""spec.by in Alertmanager: one notification group per dimension value, and a cause in cluster a never
holds back symptoms in cluster b (every inhibit rule's `equal` has the dimensions)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import requests

from obsgen.artifacts.alertmanager.amtool import check_config_file
from obsgen.artifacts.alertmanager.config import config, render_config
from obsgen.artifacts.prometheus import all_alerts
from obsgen.build.load import parse_journey
from tests.rules.test_dimensions import SPEC


@pytest.fixture(scope="module")
def journey():
    return parse_journey(SPEC, "shop.yaml")


def test_routes_group_and_inhibit_rules_match_per_dimension_value(journey):
    generated = config(journey)
    route = generated["route"]["routes"][0]
    assert route["group_by"] == ["alertname", "journey", "severity", "cluster"]
    assert generated["inhibit_rules"]
    assert all(rule["equal"] == ["journey", "cluster"] for rule in generated["inhibit_rules"])


def test_without_dimensions_the_config_has_no_extra_grouping():
    plain = config(parse_journey(SPEC.replace("  by: [cluster]\n", ""), "shop.yaml"))
    assert "group_by" not in plain["route"]["routes"][0]
    assert all(rule["equal"] == ["journey"] for rule in plain["inhibit_rules"])


@pytest.mark.integration
def test_amtool_accepts_the_config(journey, tmp_path):
    path = tmp_path / "alertmanager.yaml"
    path.write_text(render_config([journey], "shop.yaml", []))
    assert check_config_file(path) == []


def _fire(url: str, journey, names: dict[str, str]) -> None:
    """Fire alerts {alertname: cluster} with the labels their rules give them."""
    now = datetime.now(timezone.utc)
    alerts = []
    for rule in all_alerts(journey):
        if rule.alert in names and rule.severity == "page":
            labels = {**dict(rule.labels), "alertname": rule.alert, "cluster": names[rule.alert]}
            alerts.append({"labels": labels, "startsAt": (now - timedelta(minutes=5)).isoformat()})
    assert len(alerts) == len(names)
    assert requests.post(f"{url}/api/v2/alerts", json=alerts, timeout=5).status_code == 200


def _states(url: str) -> dict[tuple[str, str], str]:
    found = requests.get(f"{url}/api/v2/alerts", timeout=5).json()
    return {(a["labels"]["alertname"], a["labels"].get("cluster", "")): a["status"]["state"] for a in found}


@pytest.mark.integration
@pytest.mark.slow
def test_a_cause_in_one_cluster_inhibits_its_symptoms_there_only_on_a_real_alertmanager(journey, tmp_path):
    from tests.impact.test_alertmanager_live import running_alertmanager, wait_until

    path = tmp_path / "alertmanager.yaml"
    path.write_text(render_config([journey], "shop.yaml", []))
    symptom = "ShopCheckoutHighErrorRate"
    with running_alertmanager(path, tmp_path) as url:
        _fire(url, journey, {"ShopDatabaseDown": "a", symptom: "a"})
        _fire(url, journey, {symptom: "b"})
        expected = {("ShopDatabaseDown", "a"): "active", (symptom, "a"): "suppressed", (symptom, "b"): "active"}
        wait_until(lambda: _states(url) == expected, f"{expected}")
