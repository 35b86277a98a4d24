"""`obsgen drill` on the live native stack: each dependency of the purchase journey (PostgreSQL, RabbitMQ, the
Celery worker, the payment gateway) stopped under traffic, one drill after the other on one stack, never
restarted: every drill after the first starts on what the one before left (back to back).

The drill is held against specs/purchase.yaml itself, built (as the live stack is) together with the
catalogue journey: PostgreSQL is a shared dependency, so its cause alert is the fleet's DatabaseDown,
without a journey label, and the drill watches both journeys through one outage and proves it inhibits
each journey's symptoms (a fleet drill: a JSON report per journey). Against the seed's own map both drills exit 1,
as they should: a PostgreSQL outage also fails the worker's tasks (HighJobFailureRate, order-success
SLO) and a RabbitMQ outage slows checkout, which waits for its publish retries (checkout-latency SLO);
the spec's dependency stages say so now.

No symptom may reach on-call after the cause resolved: the RabbitMQ drill's orders queued during the
outage drain after the restore and complete late, and the order-completion burn fires then; the
backlog-aware RecentlyDown companion (docs/drills.md) holds it back until the queue has drained and its
window reset; the same holds the worker's late orders.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from obsgen.artifacts.alertmanager.config import SEVERITY_TIMING
from obsgen.clients.prometheus import PrometheusApi
from obsgen.promql import parse_duration
from tests.conftest import PURCHASE_SPEC

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Drill time: windows and `for` / 720 (the 6 h ticket windows become 30 s), at least 4 scrapes.
SCALE = "720"
HOLD = "30s"
TIMEOUT = "3m"
RATE = "3"  # visits/s; the test stack's fast worker takes 0.5 s per order


def drill(stack, spec: Path, dependency: str, *expect: str) -> tuple[int, dict]:
    args = [sys.executable, "-m", "obsgen", "drill", str(spec), dependency, "--state-dir", str(stack.state_dir),
            "--generated", str(stack.generated_dir), "--scale", SCALE, "--hold", HOLD, "--timeout", TIMEOUT,
            "--rate", RATE, "--format", "json"]
    for alert in expect:
        args += ["--expect", alert]
    result = subprocess.run(args, capture_output=True, text=True, timeout=900, check=False)
    assert result.stdout, result.stderr
    return result.returncode, json.loads(result.stdout)


PAGE_GROUP_WAIT = parse_duration(SEVERITY_TIMING["page"]["group_wait"])


def assert_matches_impact_map(code: int, report: dict, cause: str) -> None:
    failures = [f["message"] for f in report["findings"] if f["level"] == "FAIL"]
    assert code == 0 and report["passed"], "\n".join(failures)
    rows = {(a["alert"], a["severity"]): a for a in report["alerts"]}
    cause_row = rows[(cause, "page")]
    assert cause_row["role"] == "cause"
    assert cause_row["firing_s"] is not None and cause_row["alertmanager_active_s"] is not None
    assert cause_row["resolved_after_restore_s"] is not None
    for row in rows.values():
        assert row["role"] != "unexpected", row
        assert row["resolved_s"] is not None, row
        # A symptom that fired while its cause was active in Alertmanager was held back there.
        if row["role"] == "symptom" and row["firing_s"] is not None and 0 <= row["firing_s"] < report["restored_at_s"]:
            assert row["alertmanager_inhibited_s"] is not None, row
        # ... and no symptom ever reached on-call, also after the cause resolved (its companion held it; the
        # drill's judge fails a held symptom active after the cause resolved). Prometheus evaluates the shared
        # cause's group and a journey's groups independently, so a symptom may reach Alertmanager one
        # evaluation before its cause: it must be inhibited within the page's group_wait, before any notification.
        if row["role"] == "symptom" and row["alertmanager_active_s"] is not None:
            assert row["alertmanager_inhibited_s"] is not None, row
            assert 0 <= row["alertmanager_inhibited_s"] - row["alertmanager_active_s"] < PAGE_GROUP_WAIT, row
    assert "divided by 720" in report["scale"]["description"]


def assert_generated_rules_are_back(stack) -> None:
    files = {group["file"] for group in PrometheusApi(stack.prometheus).rules()}
    assert files and all(f.startswith(str(stack.generated_dir)) for f in files), files


def test_postgresql_drill_matches_the_impact_map_of_every_journey_that_shares_it(live_stack):
    """PostgreSQL is shared by the fleet's journeys: one outage, each journey judged against its own map."""
    code, report = drill(live_stack, PURCHASE_SPEC, "database", "HighCheckoutErrorRate",
                         "PurchaseCheckoutSuccessErrorBudgetBurn", "PurchaseStorefrontAvailabilityErrorBudgetBurn")
    assert report["service"] == "postgres" and report["cause"] == "DatabaseDown"
    assert [j["journey"] for j in report["journeys"]] == ["purchase", "catalogue"]
    for journey in report["journeys"]:
        assert_matches_impact_map(code, {**report, **journey}, "DatabaseDown")
        assert journey["companion"] == f"{journey['journey'].capitalize()}DatabaseRecentlyDown"
    assert_generated_rules_are_back(live_stack)


def test_rabbitmq_drill_matches_the_impact_map(live_stack):
    code, report = drill(live_stack, PURCHASE_SPEC, "rabbitmq", "PurchaseCheckoutLatencyErrorBudgetBurn")
    assert report["service"] == "rabbitmq"
    assert_matches_impact_map(code, report, "PurchaseRabbitmqDown")
    assert_generated_rules_are_back(live_stack)


def test_celery_worker_drill_right_after_the_rabbitmq_drill_matches_the_impact_map(live_stack):
    """Back to back, no restart: the RabbitMQ drill left the journey quiet, its companion resolved included, and
    its queue drained. The worker consumes that queue, so the orders sent while it is down wait there and
    complete late after the restore: its backlog-aware companion holds the order-completion burn back."""
    code, report = drill(live_stack, PURCHASE_SPEC, "celery-worker")
    assert report["service"] == "worker"
    assert_matches_impact_map(code, report, "PurchaseCeleryWorkerDown")
    assert_generated_rules_are_back(live_stack)


def test_payment_gateway_drill_matches_the_impact_map(live_stack):
    code, report = drill(live_stack, PURCHASE_SPEC, "payment_gateway", "HighCheckoutErrorRate",
                         "PurchaseCheckoutSuccessErrorBudgetBurn")
    assert report["service"] == "payment-gateway"
    assert_matches_impact_map(code, report, "PurchasePaymentGatewayDown")
    assert_generated_rules_are_back(live_stack)
