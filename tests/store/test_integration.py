"""The record store for real: PostgreSQL, RabbitMQ, payment gateway, API and
worker as separate processes (see storestack.py), driven over HTTP."""

from __future__ import annotations

import subprocess
import sys
import uuid
from contextlib import contextmanager

import httpx
import pytest
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
from prometheus_client.parser import text_string_to_metric_families as parse_prometheus
from storestack import STORE_DIR, Stack, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]

API_SERVICE = "kodekloud-record-store-api"
WORKER_SERVICE = "kodekloud-record-store-worker"
JOURNEY_TIMEOUT = 60.0
DONE = ("completed",)


def _cid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def checkout(stack: Stack, correlation_id: str, product_id: int = 1, quantity: int = 1, **extra) -> httpx.Response:
    return httpx.post(
        f"{stack.api_url}/checkout",
        json={"product_id": product_id, "quantity": quantity, **extra},
        headers={"X-Correlation-ID": correlation_id},
        timeout=30,
    )


def order(stack: Stack, order_id: int) -> dict:
    response = httpx.get(f"{stack.api_url}/orders/{order_id}", timeout=10)
    response.raise_for_status()
    return response.json()


def wait_for_status(stack: Stack, order_id: int, statuses: tuple[str, ...], timeout: float = JOURNEY_TIMEOUT) -> dict:
    return wait_until(
        lambda: (current := order(stack, order_id))["status"] in statuses and current,
        timeout,
        f"order {order_id} to reach {statuses}",
    )


def metric_samples(text: str, openmetrics: bool = False) -> list:
    parse = parse_openmetrics if openmetrics else parse_prometheus
    return [sample for family in parse(text) for sample in family.samples]


def worker_metrics_url(stack: Stack) -> str:
    return f"http://127.0.0.1:{stack.env['RECORDSTORE_WORKER_METRICS_PORT']}/metrics"


@contextmanager
def replaced_worker(stack: Stack, name: str, extra_env: dict[str, str] | None = None):
    """Run a differently configured worker for a while, then a normal one again."""
    stack.worker.stop()
    replacement = stack.worker_process(name, extra_env)
    stack.worker = replacement
    try:
        replacement.start()
        yield replacement
    finally:
        replacement.stop()
        restored = stack.worker_process(f"{name}-restored")
        stack.worker = restored
        restored.start()


def test_purchase_journey_end_to_end(store_stack):
    products = httpx.get(f"{store_stack.api_url}/products", params={"genre": "jazz"}, timeout=10).json()
    assert {p["genre"] for p in products} == {"jazz"} and len(products) == 2
    product = products[0]
    response = checkout(store_stack, _cid("journey"), product_id=product["id"], quantity=2,
                        payment_method="paypal", customer_id="customer-1")
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["status"] == "pending" and accepted["enqueued"] is True
    assert accepted["total"] == pytest.approx(product["price"] * 2)
    assert response.headers["location"] == f"/orders/{accepted['order_id']}"

    done = wait_for_status(store_stack, accepted["order_id"], DONE)
    assert done["processing_attempts"] == 1
    assert done["processed_at"] and done["confirmed_at"] and done["completed_at"]
    after = httpx.get(f"{store_stack.api_url}/products/{product['id']}", timeout=10).json()
    assert after["stock"] <= product["stock"] - 2


def test_correlation_and_trace_ids_cross_api_and_worker(store_stack):
    correlation_id = _cid("trace")
    response = checkout(store_stack, correlation_id)
    assert response.status_code == 202
    assert response.headers["x-correlation-id"] == correlation_id
    trace_id = response.json()["trace_id"]
    assert response.headers["x-trace-id"] == trace_id
    wait_for_status(store_stack, response.json()["order_id"], DONE)

    def tagged_logs(service):
        return [r for r in store_stack.log_records(service) if r.get("correlation_id") == correlation_id]

    api_lines = wait_until(lambda: tagged_logs(API_SERVICE), 10, "API log lines")
    worker_lines = wait_until(
        lambda: (lines := tagged_logs(WORKER_SERVICE)) and any(r["message"] == "order completed" for r in lines)
        and lines, 10, "worker log lines")
    assert {r["message"] for r in api_lines} >= {"order accepted", "request completed"}
    assert {r["message"] for r in worker_lines} >= {"processing order", "confirmation e-mail sent", "order completed"}
    assert {r["trace_id"] for r in api_lines + worker_lines} == {trace_id}

    expected_worker_spans = {"run/process_order", "run/send_confirmation_email", "run/cleanup_order"}

    def journey_spans():
        spans = [s for s in store_stack.spans() if s["attributes"].get("correlation_id") == correlation_id]
        names = {s["name"] for s in spans}
        return spans if "checkout_order" in names and expected_worker_spans <= names else None

    spans = wait_until(journey_spans, 15, "API and worker spans in the span file")
    services = {s["resource"]["attributes"]["service.name"] for s in spans}
    assert {API_SERVICE, WORKER_SERVICE} <= services
    assert {s["context"]["trace_id"] for s in spans} == {f"0x{trace_id}"}
    checkout_span = next(s for s in spans if s["name"] == "checkout_order")
    assert checkout_span["resource"]["attributes"]["service.name"] == API_SERVICE


def test_metrics_on_every_target_use_the_contract_names(store_stack):
    response = checkout(store_stack, _cid("metrics"), product_id=5, customer_id="customer-metrics")
    assert response.status_code == 202
    wait_for_status(store_stack, response.json()["order_id"], DONE)

    api = httpx.get(f"{store_stack.api_url}/metrics", timeout=10,
                    headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    api_samples = metric_samples(api.text, openmetrics=True)
    names = {s.name for s in api_samples}
    assert {"http_requests_total", "http_request_duration_seconds_bucket", "orders_total",
            "album_purchases_total", "revenue_total", "customer_ltv_bucket",
            "payment_gateway_requests_total"} <= names
    checkout_requests = [s for s in api_samples if s.name == "http_requests_total"
                         and s.labels == {"handler": "/checkout", "method": "POST", "code": "202"}]
    assert checkout_requests and checkout_requests[0].value >= 1
    exemplar_trace_ids = {s.exemplar.labels["trace_id"] for s in api_samples
                          if s.name == "http_request_duration_seconds_bucket" and s.exemplar
                          and s.labels["handler"] == "/checkout"}
    # Each bucket keeps its latest exemplar, and ours is the latest checkout.
    assert response.json()["trace_id"] in exemplar_trace_ids
    genres = {s.labels["genre"] for s in api_samples if s.name == "album_purchases_total"}
    assert "electronic" in genres
    assert any(s.name == "payment_gateway_requests_total" and s.labels["outcome"] == "success" and s.value >= 1
               for s in api_samples)

    def worker_samples():
        exposition = httpx.get(worker_metrics_url(store_stack), timeout=10,
                               headers={"Accept": "application/openmetrics-text; version=1.0.0"})
        samples = metric_samples(exposition.text, openmetrics=True)
        journeys = [s for s in samples if s.name == "purchase_journey_duration_seconds_count"]
        return samples if journeys and journeys[0].value >= 1 else None

    samples = wait_until(worker_samples, 10, "purchase_journey_duration_seconds observations")
    succeeded = {s.labels["task"] for s in samples
                 if s.name == "celery_tasks_total" and s.labels["state"] == "SUCCESS" and s.value >= 1}
    assert succeeded == {"process_order", "send_confirmation_email", "cleanup_order"}
    task_buckets = {s.labels["task"] for s in samples if s.name == "celery_task_duration_seconds_bucket"}
    assert task_buckets == {"process_order", "send_confirmation_email", "cleanup_order"}
    journey_buckets = {s.labels["le"] for s in samples if s.name == "purchase_journey_duration_seconds_bucket"}
    assert {"0.5", "7.5", "120.0", "+Inf"} <= journey_buckets
    journey_exemplars = {s.exemplar.labels["trace_id"] for s in samples
                         if s.name == "purchase_journey_duration_seconds_bucket" and s.exemplar}
    assert response.json()["trace_id"] in journey_exemplars  # from the dashboard's journey panel to the trace

    gateway = metric_samples(httpx.get(f"{store_stack.env['RECORDSTORE_PAYMENT_URL']}/metrics", timeout=10).text)
    assert any(s.name == "http_requests_total" and s.labels["handler"] == "/payments" for s in gateway)


def test_out_of_stock_declined_and_gateway_down_answers(store_stack):
    limited = checkout(store_stack, _cid("stock"), product_id=13, quantity=5)
    assert limited.status_code == 409
    assert "in stock" in limited.json()["detail"]
    assert checkout(store_stack, _cid("missing"), product_id=999).status_code == 404

    admin = f"{store_stack.env['RECORDSTORE_PAYMENT_URL']}/admin/faults"
    httpx.post(admin, json={"payment_decline_rate": 1.0}, timeout=10).raise_for_status()
    try:
        declined = checkout(store_stack, "declined-1")
        assert declined.status_code == 402
        assert declined.json()["correlation_id"] == "declined-1"
        httpx.post(admin, json={"payment_decline_rate": 0.0, "payment_error_rate": 1.0}, timeout=10)
        failing = checkout(store_stack, "gateway-error-1")
        assert failing.status_code == 502
        assert failing.json()["correlation_id"] == "gateway-error-1"
    finally:
        httpx.post(admin, json={"payment_decline_rate": 0.0, "payment_error_rate": 0.0}, timeout=10)
    samples = metric_samples(httpx.get(f"{store_stack.api_url}/metrics", timeout=10).text)
    outcomes = {s.labels["outcome"]: s.value for s in samples if s.name == "payment_gateway_requests_total"}
    assert outcomes["declined"] >= 1 and outcomes["error"] >= 1


def test_database_down_answers_503_with_correlation_id_then_recovers(store_stack):
    store_stack.postgres.stop()
    try:
        for method, path, body in (("GET", "/products", None), ("POST", "/checkout", {"product_id": 1})):
            response = httpx.request(method, f"{store_stack.api_url}{path}", json=body, timeout=30,
                                     headers={"X-Correlation-ID": "pg-down-1"})
            assert response.status_code == 503, response.text
            assert response.json() == {"detail": "database unavailable", "correlation_id": "pg-down-1",
                                       "trace_id": response.headers["x-trace-id"]}
        ready = httpx.get(f"{store_stack.api_url}/ready", timeout=30)
        assert ready.status_code == 503
        assert ready.json()["detail"]["checks"]["broker"] == "ok"
        assert httpx.get(f"{store_stack.api_url}/health", timeout=10).status_code == 200
        unavailable = [r for r in store_stack.log_records(API_SERVICE)
                       if r["message"] == "database unavailable" and r["correlation_id"] == "pg-down-1"]
        assert unavailable and all(r["level"] == "ERROR" for r in unavailable)
    finally:
        store_stack.postgres.start()
    wait_until(lambda: httpx.get(f"{store_stack.api_url}/products", timeout=10).status_code == 200,
               30, "API to recover after PostgreSQL restarts")


def test_no_order_lost_when_the_worker_is_killed_mid_task(store_stack):
    with replaced_worker(store_stack, "worker-slow", {"RECORDSTORE_ORDER_PROCESSING_SECONDS": "120"}) as slow:
        response = checkout(store_stack, _cid("crash"))
        assert response.status_code == 202
        order_id = response.json()["order_id"]
        wait_for_status(store_stack, order_id, ("processing",), timeout=30)
        slow.kill()  # SIGKILL mid-task: the message was delivered but never acknowledged
        assert order(store_stack, order_id)["status"] == "processing"
        wait_until(lambda: store_stack.rabbitmq.queue_depth("orders")[0] >= 1, 30,
                   "the unacknowledged message to return to the queue")
    done = wait_for_status(store_stack, order_id, DONE)
    assert done["processing_attempts"] == 2
    assert done["correlation_id"] == response.json()["correlation_id"]


def test_no_order_lost_when_rabbitmq_restarts(store_stack):
    """One order waits in the queue across a broker restart; one is committed
    while the broker is down and is re-enqueued by the worker's sweeper."""
    store_stack.worker.stop()
    queued = checkout(store_stack, _cid("queued"))
    assert queued.status_code == 202 and queued.json()["enqueued"] is True
    assert store_stack.rabbitmq.ctl("stop_app").returncode == 0
    try:
        stranded = checkout(store_stack, _cid("stranded"))
        assert stranded.status_code == 202, stranded.text
        assert stranded.json()["enqueued"] is False
    finally:
        assert store_stack.rabbitmq.ctl("start_app").returncode == 0
    restarted = store_stack.worker_process("worker-after-broker-restart")
    store_stack.worker = restarted
    restarted.start()
    for accepted in (queued, stranded):
        done = wait_for_status(store_stack, accepted.json()["order_id"], DONE)
        assert done["correlation_id"] == accepted.json()["correlation_id"]
    resent = [r for r in store_stack.log_records(WORKER_SERVICE) if r["message"] == "re-enqueued stranded order"]
    assert [r["order_id"] for r in resent] == [stranded.json()["order_id"]]


def test_failing_tasks_retry_with_backoff_until_done(store_stack):
    env = {"RECORDSTORE_TASK_FAILURE_RATE": "0.5", "RECORDSTORE_TASK_MAX_RETRIES": "30"}
    with replaced_worker(store_stack, "worker-flaky", env):
        accepted = [checkout(store_stack, _cid("flaky")).json()["order_id"] for _ in range(4)]
        for order_id in accepted:
            wait_for_status(store_stack, order_id, DONE, timeout=120)
        samples = metric_samples(httpx.get(worker_metrics_url(store_stack), timeout=10).text)
    retries = sum(s.value for s in samples if s.name == "celery_tasks_total" and s.labels["state"] == "RETRY")
    successes = sum(s.value for s in samples if s.name == "celery_tasks_total" and s.labels["state"] == "SUCCESS")
    assert retries >= 1
    assert successes == 12  # 4 orders x 3 tasks, each succeeding exactly once


def test_db_init_command_is_idempotent(store_stack):
    for _ in range(2):  # the API and worker already applied it at start-up
        result = subprocess.run([sys.executable, "-m", "recordstore.db", "init"], cwd=STORE_DIR,
                                env=store_stack.env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert "schema applied; 13 products in catalogue" in result.stdout


def test_redelivered_messages_change_nothing(store_stack):
    """Duplicates of every step for a finished order: no second attempt, e-mail or journey."""
    from celery import Celery

    response = checkout(store_stack, _cid("dup"))
    order_id = response.json()["order_id"]
    wait_for_status(store_stack, order_id, DONE)

    def counters():
        samples = metric_samples(httpx.get(worker_metrics_url(store_stack), timeout=10).text)
        successes = sum(s.value for s in samples if s.name == "celery_tasks_total" and s.labels["state"] == "SUCCESS")
        journeys = next(s.value for s in samples if s.name == "purchase_journey_duration_seconds_count")
        return successes, journeys

    successes_before, journeys_before = counters()
    duplicates = Celery(broker=store_stack.env["RECORDSTORE_BROKER_URL"])
    for task in ("process_order", "send_confirmation_email", "cleanup_order"):
        duplicates.send_task(task, args=(order_id,), queue="orders")
    wait_until(lambda: counters()[0] >= successes_before + 3, 30, "the duplicates to be consumed")

    done = order(store_stack, order_id)
    assert done["status"] == "completed" and done["processing_attempts"] == 1
    assert counters()[1] == journeys_before
    skipped = [r for r in store_stack.log_records(WORKER_SERVICE)
               if r.get("order_id") == order_id and r["message"] in (
                   "order already past processing, nothing to do", "no e-mail to send in this state")]
    assert len(skipped) == 2
