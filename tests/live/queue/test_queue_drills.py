"""`obsgen drill` of the purchase journey's queue and its consumer: RabbitMQ, then the Celery worker, back to back
on one live stack, never restarted. Under pytest-xdist this directory is a unit of work of its own
(tests/parallel.py), so another worker makes the stack (tests/live/conftest.py's `live_stack`, built from the
same fleet) and these drills run beside those of tests/live/test_drill.py instead of after them; in one process
all four drills share one stack.

Against the seed's own map the RabbitMQ drill exits 1, as it should: a RabbitMQ outage slows checkout, which
waits for its publish retries (checkout-latency SLO); the spec's dependency stages say so now.

No symptom may reach on-call after the cause resolved: the RabbitMQ drill's orders queued during the
outage drain after the restore and complete late, and the order-completion burn fires then; the
backlog-aware RecentlyDown companion (docs/drills.md) holds it back until the queue has drained and its
window reset; the same holds the worker's late orders.
"""

from __future__ import annotations

import pytest

from tests.conftest import PURCHASE_SPEC
from tests.live.drills import assert_generated_rules_are_back, assert_matches_impact_map, drill

pytestmark = [pytest.mark.integration, pytest.mark.slow]


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
