"""RabbitMQ restarted under load on the live native stack: no order lost, processing resumes in seconds,
and a publish RabbitMQ refuses is never reported as enqueued.

A store-only stack of its own (PostgreSQL, RabbitMQ, payment gateway, API, worker): restarting the broker
of the shared `live_stack` would disturb the other live tests. The store's default task durations
(5.1 s of worker time per order, ~1.5 orders/s with 8 threads) and 2.5 orders/s keep every worker thread
busy when the broker goes: the case that stalled the worker for ~90 s (BENCHMARKS.md "Reference stack").
"""

from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

import psycopg
import pytest

from lab.stack import Stack
from lab.stack.services import SERVICES
from lab.stack.services.postgres import database_url
from tests.stack.conftest import free_ports, make_state_dir

pytestmark = [pytest.mark.integration, pytest.mark.slow]

STORE_SERVICES = ["postgres", "rabbitmq", "payment-gateway", "api", "worker"]
STORE_ENV = {
    # The sweeper re-enqueues orders whose publish failed during the outage.
    "RECORDSTORE_REQUEUE_AFTER_SECONDS": "6",
}
ORDERS_PER_SECOND = 2.5
LOAD_BEFORE_SECONDS = 15
RESUME_LIMIT_SECONDS = 10.0  # the promise
DRAIN_SECONDS = 180


@dataclass
class Load:
    """Checkouts at a steady rate from a background thread; records the answers."""

    api: str
    accepted: list[dict] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.wait(1 / ORDERS_PER_SECOND):
            try:
                self.accepted.append(checkout(self.api))
            except (urllib.error.URLError, OSError) as exc:
                self.refused.append(repr(exc))


def checkout(api: str) -> dict:
    request = urllib.request.Request(f"{api}/checkout", data=json.dumps({"product_id": 1}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=15) as answer:
        return json.loads(answer.read())


@pytest.fixture(scope="module")
def store_stack():
    state_dir = make_state_dir("obsgen-broker-")
    stack = Stack(state_dir, ports=free_ports(), store_env=STORE_ENV)
    try:
        statuses = stack.up(STORE_SERVICES)
        not_up = [f"{s.name}: {s.state} {s.detail}" for s in statuses if s.state != "up"]
        if not_up:
            pytest.fail("the store stack did not come up: " + "; ".join(not_up))
        yield stack
    finally:
        stack.down()
        shutil.rmtree(state_dir, ignore_errors=True)


def query(stack: Stack, sql: str, *params) -> list[tuple]:
    with psycopg.connect(database_url(stack.ports.postgres), autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def wait_for(condition, timeout: float, poll: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    return condition()


def test_broker_restart_under_load_loses_nothing_and_resumes_within_10s(store_stack: Stack):
    load = Load(store_stack.endpoint("api").split()[0])
    sender = threading.Thread(target=load.run, daemon=True)
    sender.start()
    try:
        time.sleep(LOAD_BEFORE_SECONDS)
        store_stack.restart("rabbitmq")
        broker_back = query(store_stack, "SELECT clock_timestamp()")[0][0]
        first_completion = wait_for(lambda: query(
            store_stack, "SELECT min(completed_at) FROM orders WHERE completed_at > %s", broker_back)[0][0],
            timeout=RESUME_LIMIT_SECONDS + 30)
        time.sleep(LOAD_BEFORE_SECONDS)  # keep the load on after the restart
    finally:
        load.stop.set()
        sender.join(timeout=30)

    assert first_completion is not None, "no order completed within 40 s of RabbitMQ's restart"
    resumed = (first_completion - broker_back).total_seconds()
    print(f"order processing resumed {resumed:.1f} s after RabbitMQ was back")
    assert resumed <= RESUME_LIMIT_SECONDS, f"order processing resumed {resumed:.1f} s after RabbitMQ was back"

    accepted = {order["order_id"] for order in load.accepted}
    assert len(accepted) >= LOAD_BEFORE_SECONDS * ORDERS_PER_SECOND, (len(accepted), load.refused[:3])

    def open_orders() -> list[tuple]:
        return query(store_stack, "SELECT id, status FROM orders WHERE id = ANY(%s) AND status <> 'completed'",
                     sorted(accepted))

    assert wait_for(lambda: not open_orders(), timeout=DRAIN_SECONDS, poll=1.0), \
        f"orders accepted but not completed {DRAIN_SECONDS} s after the load: {open_orders()[:10]}"


def test_a_publish_rabbitmq_refuses_is_not_reported_as_enqueued(store_stack: Stack):
    """Publisher confirms: with the orders queue full (reject-publish), RabbitMQ nacks the API's publish;
    the API answers enqueued=false and leaves the order to the sweeper, which enqueues it once the queue
    takes messages again."""
    rabbitmq, ctx = SERVICES["rabbitmq"], store_stack.context()
    policy = ("set_policy", "--apply-to", "queues", "obsgen-test-full", "^orders$",
              '{"max-length": 0, "overflow": "reject-publish"}')
    assert rabbitmq.rabbitmqctl(ctx, *policy).returncode == 0  # type: ignore[attr-defined]
    try:
        time.sleep(2)  # policies apply asynchronously
        answer = checkout(store_stack.endpoint("api").split()[0])
        assert answer["enqueued"] is False, answer
        assert query(store_stack, "SELECT enqueued_at FROM orders WHERE id = %s", answer["order_id"]) == [(None,)]
    finally:
        rabbitmq.rabbitmqctl(ctx, "clear_policy", "obsgen-test-full")  # type: ignore[attr-defined]
    status = wait_for(lambda: query(store_stack, "SELECT status FROM orders WHERE id = %s AND status = 'completed'",
                                    answer["order_id"]), timeout=60, poll=1.0)
    assert status == [("completed",)], "the refused order was never processed after the queue reopened"
