"""Prometheus metrics of the record store, named exactly as the stack contract says.

Each service has its own registry: the API, the worker and the payment gateway
run in separate processes, and keeping registries apart lets tests import all
three modules into one interpreter without name clashes.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.exposition import choose_encoder

HTTP_DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10)
TASK_DURATION_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
JOURNEY_DURATION_BUCKETS = (0.5, 1, 2.5, 5, 7.5, 10, 15, 30, 60, 120)
CUSTOMER_LTV_BUCKETS = (10, 25, 50, 100, 250, 500, 1000, 2500, 5000)

TASK_NAMES = ("process_order", "send_confirmation_email", "cleanup_order")
TASK_STATES = ("SUCCESS", "FAILURE", "RETRY")
PAYMENT_OUTCOMES = ("success", "declined", "error")
PAYMENT_METHODS = ("card", "paypal", "gift_card")

UNMATCHED_HANDLER = "unmatched"


def _service_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    return registry


class HttpMetrics:
    """RED metrics of one HTTP service, labelled by route template."""

    def __init__(self, registry: CollectorRegistry):
        self.requests_total = Counter(
            "http_requests_total",
            "HTTP requests by route template, method and status code.",
            ["handler", "method", "code"],
            registry=registry,
        )
        self.request_duration_seconds = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency by route template and method.",
            ["handler", "method"],
            buckets=HTTP_DURATION_BUCKETS,
            registry=registry,
        )

    def observe(self, handler: str, method: str, code: int, seconds: float, trace_id: str | None) -> None:
        self.requests_total.labels(handler=handler, method=method, code=str(code)).inc()
        exemplar = {"trace_id": trace_id} if trace_id else None
        self.request_duration_seconds.labels(handler=handler, method=method).observe(
            seconds, exemplar=exemplar
        )


# --- API (scrape job `api`) -------------------------------------------------
API_REGISTRY = _service_registry()
API_HTTP = HttpMetrics(API_REGISTRY)
ORDERS = Counter("orders_total", "Orders accepted at checkout.", registry=API_REGISTRY)
ALBUM_PURCHASES = Counter(
    "album_purchases_total", "Albums sold (units), by genre.", ["genre"], registry=API_REGISTRY
)
REVENUE = Counter(
    "revenue_total",
    "Revenue of accepted orders in currency units, by payment method.",
    ["payment_method"],
    registry=API_REGISTRY,
)
CUSTOMER_LTV = Histogram(
    "customer_ltv",
    "Customer lifetime value (sum of the customer's orders) observed at each checkout.",
    buckets=CUSTOMER_LTV_BUCKETS,
    registry=API_REGISTRY,
)
PAYMENT_GATEWAY_REQUESTS = Counter(
    "payment_gateway_requests_total",
    "Calls from the API to the payment gateway, by outcome.",
    ["outcome"],
    registry=API_REGISTRY,
)

# --- Worker (scrape job `worker`) -------------------------------------------
WORKER_REGISTRY = _service_registry()
CELERY_TASKS = Counter(
    "celery_tasks_total",
    "Celery task executions by task name and final state of the attempt.",
    ["task", "state"],
    registry=WORKER_REGISTRY,
)
CELERY_TASK_DURATION = Histogram(
    "celery_task_duration_seconds",
    "Celery task run time by task name.",
    ["task"],
    buckets=TASK_DURATION_BUCKETS,
    registry=WORKER_REGISTRY,
)
PURCHASE_JOURNEY_DURATION = Histogram(
    "purchase_journey_duration_seconds",
    "Time from order creation at checkout to the confirmation e-mail being sent.",
    buckets=JOURNEY_DURATION_BUCKETS,
    registry=WORKER_REGISTRY,
)

# --- Payment gateway (scrape job `payment-gateway`) -------------------------
PAYMENT_REGISTRY = _service_registry()
PAYMENT_HTTP = HttpMetrics(PAYMENT_REGISTRY)
PAYMENTS = Counter(
    "payments_total",
    "Payments handled by the simulated provider, by outcome.",
    ["outcome"],
    registry=PAYMENT_REGISTRY,
)


def _initialise_known_series() -> None:
    """Create zero-valued series so rate() and ratios have data before the first event."""
    for outcome in PAYMENT_OUTCOMES:
        PAYMENT_GATEWAY_REQUESTS.labels(outcome=outcome)
        PAYMENTS.labels(outcome=outcome)
    for method in PAYMENT_METHODS:
        REVENUE.labels(payment_method=method)
    for task in TASK_NAMES:
        CELERY_TASK_DURATION.labels(task=task)
        for state in TASK_STATES:
            CELERY_TASKS.labels(task=task, state=state)


_initialise_known_series()


def render(registry: CollectorRegistry, accept_header: str | None) -> tuple[bytes, str]:
    """Exposition in the format the scraper asked for.

    Prometheus asks for OpenMetrics when exemplar storage is enabled; only
    that format carries exemplars, so honouring Accept is what makes them show.
    """
    encoder, content_type = choose_encoder(accept_header or "")
    return encoder(registry), content_type
