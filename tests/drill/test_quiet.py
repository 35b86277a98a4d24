"""A drill waits for its journey to be quiet, bounded and saying what it waits for: proven against a
real Alertmanager holding one of the journey's alerts (Prometheus' part of an observation is empty)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from lab.drill.observe import Observation, in_alertmanager
from lab.drill.quiet import wait_quiet
from obsgen.clients.alertmanager import AlertmanagerApi
from tests.impact.test_alertmanager_live import running_alertmanager

pytestmark = pytest.mark.integration

CONFIG = """route: {receiver: nowhere}
receivers: [{name: nowhere}]
"""


@pytest.fixture
def alertmanager(tmp_path):
    config = tmp_path / "alertmanager.yaml"
    config.write_text(CONFIG)
    with running_alertmanager(config, tmp_path) as url:
        yield url


def post(url: str, name: str, ends_in: float) -> None:
    now = datetime.now(timezone.utc)
    alert = {"labels": {"alertname": name, "journey": "purchase", "severity": "page"},
             "startsAt": now.isoformat(), "endsAt": (now + timedelta(seconds=ends_in)).isoformat()}
    assert requests.post(f"{url}/api/v2/alerts", json=[alert], timeout=5).status_code == 200


def poller(url: str):
    api = AlertmanagerApi(url)
    origin = time.monotonic()
    return lambda: Observation(time.monotonic() - origin, (), in_alertmanager(api, "purchase"))


def test_waits_for_the_journey_s_alerts_to_end_then_returns_quiet(alertmanager):
    post(alertmanager, "PurchaseDatabaseRecentlyDown", ends_in=4)
    lines: list[str] = []
    started = time.monotonic()
    last = wait_quiet(poller(alertmanager), 1.0, 30, lines.append, "for quiet", every=1.0, pause=0.2)
    assert last is not None and last.quiet
    assert 4 <= time.monotonic() - started < 30
    assert lines and "PurchaseDatabaseRecentlyDown (page) active in Alertmanager" in lines[0]
    assert all(line.startswith("drill: waiting for quiet (") for line in lines)
    assert len(lines) >= 3  # a line a second while it waited about four


def test_gives_up_at_the_timeout_naming_what_is_still_there(alertmanager):
    post(alertmanager, "PurchaseDatabaseDown", ends_in=600)
    lines: list[str] = []
    started = time.monotonic()
    assert wait_quiet(poller(alertmanager), 1.0, 3, lines.append, "for quiet", every=10.0, pause=0.2) is None
    assert 3 <= time.monotonic() - started < 6
    assert len(lines) == 1 and "still PurchaseDatabaseDown (page) active in Alertmanager" in lines[0]


def test_another_journey_s_alerts_do_not_keep_it_waiting(alertmanager):
    now = datetime.now(timezone.utc)
    other = {"labels": {"alertname": "CatalogueDown", "journey": "catalogue"}, "startsAt": now.isoformat()}
    assert requests.post(f"{alertmanager}/api/v2/alerts", json=[other], timeout=5).status_code == 200
    assert wait_quiet(poller(alertmanager), 1.0, 10, lambda line: None, "for quiet", pause=0.2) is not None
