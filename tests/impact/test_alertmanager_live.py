"""Inhibition proven on a real Alertmanager running the generated config.

Alerts are posted to its API with the labels the generated Prometheus rules give them. With a
dependency's down alert firing, its symptoms show as inhibited (status.inhibitedBy names the
cause) and only the cause is active; the same symptom is active when no cause fires.
"""

from __future__ import annotations

import socket
import subprocess
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

from lab.stack.services.daemons import Alertmanager
from obsgen.artifacts.impact import impact_map
from tests.impact.test_alertmanager import CONFIG, fired_labels, generated_rules

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# The one the native stack runs: the pinned Go build (scripts/go-tools) when installed, else Debian's.
ALERTMANAGER = Alertmanager().binary() or "/usr/bin/prometheus-alertmanager"
WAIT_SECONDS = 30  # a ceiling for Alertmanager to start and to apply inhibition, not a speed assertion


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def alertmanager_url(tmp_path_factory):
    """A fresh Alertmanager per test (it starts in well under a second), so tests never share alerts."""
    with running_alertmanager(CONFIG, tmp_path_factory.mktemp("alertmanager")) as url:
        yield url


@contextmanager
def running_alertmanager(config: Path, storage: Path):
    """A real Alertmanager on a free loopback port running this config; stopped on exit."""
    if not Path(ALERTMANAGER).is_file():
        pytest.skip("Alertmanager is not installed (scripts/go-tools install alertmanager)")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (storage / "alertmanager.log").open("w")
    process = subprocess.Popen([
        ALERTMANAGER, f"--config.file={config}", f"--storage.path={storage}",
        f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=", "--log.level=warn",
    ], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: _ready(url, process), "Alertmanager to become ready", storage / "alertmanager.log")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _ready(url: str, process: subprocess.Popen) -> bool:
    if process.poll() is not None:
        raise AssertionError(f"Alertmanager exited with {process.returncode}")
    try:
        return requests.get(f"{url}/-/ready", timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def wait_until(condition, what: str, log: Path | None = None):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    detail = log.read_text() if log and log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n{detail}")


def post(url: str, names: list[str], *, resolved: bool = False) -> None:
    """Fire (or resolve) every generated rule of these names: a burn-rate alert has a page and a ticket variant."""
    post_rules(url, generated_rules(), names, resolved=resolved)


def post_rules(url: str, rules: list[dict], names, *, resolved: bool = False) -> None:
    """Fire (or resolve) the alerts of these rules, with the labels Prometheus would give them."""
    now = datetime.now(timezone.utc)
    alerts = []
    for rule in rules:
        if rule["alert"] in names:
            alert = {"labels": fired_labels(rule), "annotations": rule["annotations"],
                     "startsAt": (now - timedelta(minutes=5)).isoformat()}
            if resolved:
                alert["endsAt"] = (now - timedelta(seconds=1)).isoformat()
            alerts.append(alert)
    assert len({a["labels"]["alertname"] for a in alerts}) == len(set(names))
    response = requests.post(f"{url}/api/v2/alerts", json=alerts, timeout=5)
    assert response.status_code == 200, response.text


def statuses(url: str) -> dict[str, list[dict]]:
    """alertname -> the status of each of its alerts (page and ticket variants are separate alerts)."""
    response = requests.get(f"{url}/api/v2/alerts", timeout=5)
    response.raise_for_status()
    found: dict[str, list[dict]] = {}
    for alert in response.json():
        found.setdefault(alert["labels"]["alertname"], []).append({**alert["status"], "fingerprint": alert["fingerprint"]})
    return found


def settled(url: str, expect_inhibited: set[str], expect_active: set[str]):
    """The status map once every expected alert is there in the expected state, else None."""
    current = statuses(url)
    for name in expect_inhibited:
        if not current.get(name) or any(s["state"] != "suppressed" or not s["inhibitedBy"] for s in current[name]):
            return None
    for name in expect_active:
        if not current.get(name) or any(s["state"] != "active" for s in current[name]):
            return None
    return current


def test_a_symptom_alone_is_active(alertmanager_url):
    post(alertmanager_url, ["HighJobFailureRate"])
    current = wait_until(lambda: settled(alertmanager_url, set(), {"HighJobFailureRate"}), "HighJobFailureRate to be active")
    assert [s["inhibitedBy"] for s in current["HighJobFailureRate"]] == [[]]


@pytest.mark.parametrize("dependency", ["database", "rabbitmq", "celery-worker", "payment_gateway"])
def test_only_the_cause_stays_active_when_a_dependency_is_down(alertmanager_url, purchase_journey, dependency):
    impact = impact_map(purchase_journey).of(dependency)
    symptoms = set(impact.symptom_alert_names)
    assert symptoms, dependency
    post(alertmanager_url, [impact.cause.alert, *sorted(symptoms)])
    current = wait_until(lambda: settled(alertmanager_url, symptoms, {impact.cause.alert}),
                         f"{dependency}'s symptoms to be inhibited")
    cause_fingerprint = current[impact.cause.alert][0]["fingerprint"]
    for name in symptoms:
        for status in current[name]:
            assert status["state"] == "suppressed"
            assert cause_fingerprint in status["inhibitedBy"], name
    active = {name for name in current if any(s["state"] == "active" for s in current[name])}
    assert active == {impact.cause.alert}


def test_symptoms_come_back_when_the_cause_resolves(alertmanager_url):
    checkout = {"HighCheckoutErrorRate", "SlowCheckoutPerformance"}
    post(alertmanager_url, ["PurchaseDatabaseDown", *sorted(checkout)])
    wait_until(lambda: settled(alertmanager_url, checkout, {"PurchaseDatabaseDown"}), "checkout alerts to be inhibited")
    post(alertmanager_url, ["PurchaseDatabaseDown"], resolved=True)
    wait_until(lambda: settled(alertmanager_url, set(), {"HighCheckoutErrorRate", "SlowCheckoutPerformance"}),
               "checkout alerts to be active again once the database is back")
