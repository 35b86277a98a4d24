"""After the cause resolves: its RecentlyDown companion holds back the symptoms still burning on the
outage's errors, on a real Alertmanager running the config generated from the spec (rendered here,
so the proof does not wait for generated/ to be rebuilt). A symptom without a companion above it (a
new failure after the reset period) is active, and the page companion never holds back a ticket's
symptoms' pages beyond its own severity."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import requests

from obsgen.artifacts.alertmanager.amtool import routes_test
from obsgen.artifacts.alertmanager.config import INHIBIT_ONLY_RECEIVER, render_config
from obsgen.artifacts.impact import impact_map
from obsgen.artifacts.prometheus import all_alerts
from obsgen.artifacts.prometheus.recently_down import KIND, held_back
from tests.impact.test_alertmanager_live import running_alertmanager, settled, statuses, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DEPENDENCIES = ["database", "rabbitmq", "celery-worker", "payment_gateway"]


@pytest.fixture
def config_path(purchase_journey, tmp_path):
    path = tmp_path / "alertmanager.yaml"
    path.write_text(render_config([purchase_journey], purchase_journey.source, []))
    return path


@pytest.fixture
def alertmanager_url(config_path, tmp_path_factory):
    with running_alertmanager(config_path, tmp_path_factory.mktemp("alertmanager")) as url:
        yield url


def post(url: str, rules, *, resolved: bool = False) -> None:
    """Fire (or resolve) these alert rules with the labels Prometheus gives them."""
    now = datetime.now(timezone.utc)
    alerts = []
    for rule in rules:
        alert = {"labels": {**dict(rule.labels), "alertname": rule.alert}, "annotations": dict(rule.annotations),
                 "startsAt": (now - timedelta(minutes=5)).isoformat()}
        if resolved:
            alert["endsAt"] = (now - timedelta(seconds=1)).isoformat()
        alerts.append(alert)
    response = requests.post(f"{url}/api/v2/alerts", json=alerts, timeout=5)
    assert response.status_code == 200, response.text


def _rules(journey, names=None, kind=None):
    return [a for a in all_alerts(journey) if (names is None or a.alert in names) and (kind is None or a.kind == kind)]


def test_a_companion_routes_to_the_receiver_without_integration(config_path, purchase_journey):
    companions = _rules(purchase_journey, kind=KIND)
    assert companions
    for rule in companions:
        assert routes_test(config_path, {**dict(rule.labels), "alertname": rule.alert}) == [INHIBIT_ONLY_RECEIVER]


@pytest.mark.parametrize("dependency", DEPENDENCIES)
def test_after_the_cause_resolves_its_companion_holds_back_the_burning_symptoms(
        alertmanager_url, purchase_journey, dependency):
    impact = impact_map(purchase_journey).of(dependency)
    dep = purchase_journey.dependency(dependency)
    windowed = set(held_back(impact.symptoms))
    windowless = set(impact.symptom_alert_names) - windowed
    assert windowed, dependency
    post(alertmanager_url, _rules(purchase_journey, {impact.cause.alert}), resolved=True)
    post(alertmanager_url, _rules(purchase_journey, {dep.recently_down_alert_name}))
    post(alertmanager_url, _rules(purchase_journey, windowed | windowless))
    current = wait_until(lambda: settled(alertmanager_url, windowed, {dep.recently_down_alert_name}),
                         f"{dependency}'s burning symptoms to be held back by its companion")
    companions = {s["fingerprint"] for s in current[dep.recently_down_alert_name]}
    for name in windowed:
        for status in current[name]:
            assert set(status["inhibitedBy"]) & companions, name
    # A dependant's down alert or missing data resolves with health and data: anything left is new.
    for name in windowless:
        assert not any(set(status["inhibitedBy"]) & companions for status in current[name]), name
    assert impact.cause.alert not in {n for n, s in current.items() if any(x["state"] == "active" for x in s)}


@pytest.mark.parametrize("dependency", DEPENDENCIES)
def test_a_new_failure_after_the_reset_period_pages(alertmanager_url, purchase_journey, dependency):
    """The companion has resolved (its period is over): the same symptoms firing again are a new failure."""
    impact = impact_map(purchase_journey).of(dependency)
    dep = purchase_journey.dependency(dependency)
    pages = {a.alert for a in impact.symptoms if "page" in a.severities and a.alert in held_back(impact.symptoms)}
    post(alertmanager_url, _rules(purchase_journey, {impact.cause.alert}), resolved=True)
    post(alertmanager_url, _rules(purchase_journey, {dep.recently_down_alert_name}), resolved=True)
    post(alertmanager_url, _rules(purchase_journey, pages))
    current = wait_until(lambda: settled(alertmanager_url, set(), pages), f"a new failure after {dependency} to page")
    assert all(s["inhibitedBy"] == [] for name in pages for s in current[name])


def test_the_ticket_companion_does_not_hold_back_a_new_page(alertmanager_url, purchase_journey):
    """Between the page and the ticket periods only tickets are held back: a new fast burn pages."""
    dep = purchase_journey.dependency("database")
    ticket_only = [r for r in _rules(purchase_journey, {dep.recently_down_alert_name}) if r.label("inhibits") == "ticket"]
    burn = [r for r in _rules(purchase_journey, {"PurchaseCheckoutSuccessErrorBudgetBurn"})]
    assert ticket_only and {r.severity for r in burn} == {"page", "ticket"}
    post(alertmanager_url, ticket_only + burn)

    def split():
        found = statuses(alertmanager_url).get("PurchaseCheckoutSuccessErrorBudgetBurn", [])
        return found if len(found) == 2 and all(s["state"] in ("active", "suppressed") for s in found) else None

    wait_until(split, "both burn-rate variants to arrive")
    wait_until(lambda: _states(alertmanager_url) == {"page": "active", "ticket": "suppressed"},
               "the page to be active and the ticket held back")


def _states(url: str) -> dict[str, str]:
    alerts = requests.get(f"{url}/api/v2/alerts", timeout=5).json()
    return {a["labels"]["severity"]: a["status"]["state"] for a in alerts
            if a["labels"]["alertname"] == "PurchaseCheckoutSuccessErrorBudgetBurn"}


# -- a dependency several journeys share -----------------------------------------------------------


@pytest.fixture(scope="module")
def fleet():
    from obsgen.build.load import load_journey
    from obsgen.spec.fleet import resolve_fleet
    from tests.conftest import PURCHASE_SPEC
    from tests.fleet.test_fleet import CATALOGUE_SPEC

    return resolve_fleet([load_journey(PURCHASE_SPEC), load_journey(CATALOGUE_SPEC)])


def test_each_journey_has_its_own_companion_of_a_shared_cause(fleet):
    """The shared down alert has no journey; each journey's companion reads it over that journey's windows."""
    for journey in fleet.journeys:
        dep = journey.dependency("database")
        assert dep.shared is not None
        companions = _rules(journey, {dep.recently_down_alert_name})
        assert companions and all(r.label("journey") == journey.name for r in companions)
        assert all(f'alertname="{dep.down_alert_name}"' in r.expr and "journey=" not in r.expr for r in companions)


def test_a_shared_cause_s_companions_hold_back_each_journey_s_symptoms_only(fleet, tmp_path_factory):
    config = tmp_path_factory.mktemp("fleet") / "alertmanager.yaml"
    config.write_text(render_config(fleet.journeys, "test", []))
    purchase, catalogue = (next(j for j in fleet.journeys if j.name == name) for name in ("purchase", "catalogue"))
    with running_alertmanager(config, tmp_path_factory.mktemp("alertmanager")) as url:
        held = {}
        for journey in (purchase, catalogue):
            impact = impact_map(journey).of("database")
            held[journey.name] = {a.alert for a in impact.symptoms if "page" in a.severities and a.alert in held_back(impact.symptoms)}
        post(url, _rules(purchase, {purchase.dependency("database").down_alert_name}), resolved=True)
        # Only purchase's companion is active: catalogue's period is over (or never began).
        post(url, [r for r in _rules(purchase, {purchase.dependency("database").recently_down_alert_name})])
        post(url, _rules(purchase, held["purchase"]) + _rules(catalogue, held["catalogue"]))
        wait_until(lambda: settled(url, held["purchase"], held["catalogue"]),
                   "purchase's symptoms held back, catalogue's paging")
