"""Celery worker: process_order -> send_confirmation_email -> cleanup_order.

Start it with `python -m recordstore.worker` (threads pool, queue `orders`,
metrics on RECORDSTORE_WORKER_METRICS_PORT once the consumer is ready), or
equivalently `celery -A recordstore.worker --quiet worker --pool threads
--queues orders --loglevel INFO --without-mingle --without-gossip`.

No order is lost: messages are acknowledged after the task ran (a killed
worker's message goes back to the queue), failures retry with exponential
backoff, a step whose successor cannot be published goes back to the queue
instead of being acknowledged, and each step is an SQL status transition guarded by the previous
status, so a redelivered or duplicated message does no harm. A sweeper
thread re-publishes orders that were committed but never reached RabbitMQ.
"""

from __future__ import annotations

import sys

if __name__ == "__main__":
    # `python -m` runs this file as __main__; hand over to the importable module
    # so signal handlers and tasks are registered exactly once.
    from recordstore.worker import main as _run_worker

    _run_worker()
    sys.exit(0)

import logging
import threading
import time

from celery import Task
from celery.exceptions import Reject
from celery.signals import (
    setup_logging,
    task_failure,
    task_postrun,
    task_prerun,
    task_retry,
    task_success,
    worker_init,
    worker_ready,
    worker_shutdown,
)
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.propagate import extract
from prometheus_client import start_http_server

from recordstore import db
from recordstore.broker import (
    CLEANUP_ORDER,
    CORRELATION_HEADER,
    PROCESS_ORDER,
    SEND_CONFIRMATION_EMAIL,
    celery_app,
    publish,
)
from recordstore.config import ORDERS_QUEUE, WORKER_SERVICE_NAME, load_settings
from recordstore.faults import FaultInjector, FaultKnobs, InjectedFault
from recordstore.logs import configure_logging, correlation_id_var
from recordstore.metrics import (
    CELERY_TASK_DURATION,
    CELERY_TASKS,
    PURCHASE_JOURNEY_DURATION,
    WORKER_REGISTRY,
)
from recordstore.tracing import configure_tracing, current_trace_id, tracer

app = celery_app
settings = load_settings()
faults = FaultInjector(FaultKnobs.from_settings(settings))
log = logging.getLogger("recordstore.worker")

# Configured at import as well as on Celery's signal: some start-up warnings
# are emitted before the signal fires and should be JSON lines too.
configure_logging(WORKER_SERVICE_NAME, settings.log_level)

_pool: db.StorePool | None = None
_pool_lock = threading.Lock()
_sweeper_stop = threading.Event()


def pool() -> db.StorePool:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = db.create_pool(settings, "recordstore-worker")
        return _pool


# --- Process set-up -----------------------------------------------------------
@setup_logging.connect
def _configure_logging(**_: object) -> None:
    # Connecting to this signal stops Celery from installing its own handlers.
    configure_logging(WORKER_SERVICE_NAME, settings.log_level)


@worker_init.connect
def _start_observability(**_: object) -> None:
    from opentelemetry.instrumentation.celery import CeleryInstrumentor

    configure_tracing(WORKER_SERVICE_NAME, settings)
    CeleryInstrumentor().instrument()


@worker_ready.connect
def _on_ready(**_: object) -> None:
    db.ensure_schema(pool())
    threading.Thread(target=_sweep_stranded_orders, name="stranded-order-sweeper", daemon=True).start()
    # Served only once the consumer runs, so a scrape or health probe that
    # succeeds means the worker is taking orders.
    start_http_server(settings.worker_metrics_port, addr=settings.worker_metrics_host, registry=WORKER_REGISTRY)
    log.info("worker ready, metrics listening", extra={"port": settings.worker_metrics_port})


@worker_shutdown.connect
def _on_shutdown(**_: object) -> None:
    _sweeper_stop.set()
    provider = trace.get_tracer_provider()
    if hasattr(provider, "force_flush"):
        provider.force_flush()


# --- Per-task context and metrics ----------------------------------------------
def _correlation_id_of(task: Task) -> str | None:
    request = task.request
    value = getattr(request, CORRELATION_HEADER, None)
    if value is None and isinstance(getattr(request, "headers", None), dict):
        value = request.headers.get(CORRELATION_HEADER)
    return value


@task_prerun.connect
def _enter_task_context(task: Task | None = None, **_: object) -> None:
    if task is not None:
        correlation_id_var.set(_correlation_id_of(task))


@task_postrun.connect
def _leave_task_context(**_: object) -> None:
    correlation_id_var.set(None)


@task_success.connect
def _count_success(sender: Task | None = None, **_: object) -> None:
    CELERY_TASKS.labels(task=sender.name, state="SUCCESS").inc()


@task_retry.connect
def _count_retry(sender: Task | None = None, reason: object = None, **_: object) -> None:
    CELERY_TASKS.labels(task=sender.name, state="RETRY").inc()
    log.warning("task will retry", extra={"task": sender.name, "reason": str(reason)})


@task_failure.connect
def _count_failure(sender: Task | None = None, exception: BaseException | None = None, **_: object) -> None:
    CELERY_TASKS.labels(task=sender.name, state="FAILURE").inc()
    log.error("task failed for good", extra={"task": sender.name, "error": repr(exception)})


def _trace_exemplar() -> dict[str, str] | None:
    trace_id = current_trace_id()
    return {"trace_id": trace_id} if trace_id else None


class OrderTask(Task):
    """Base of the order pipeline: retries, late acks, a span and a duration per run."""

    autoretry_for = (InjectedFault, db.DatabaseUnavailable)
    retry_backoff = True
    retry_backoff_max = 60
    retry_jitter = True
    max_retries = settings.task_max_retries
    acks_late = True
    reject_on_worker_lost = True

    def __call__(self, *args, **kwargs):
        correlation_id = _correlation_id_of(self)
        order_id = args[0] if args else kwargs.get("order_id")
        attributes = {"correlation_id": correlation_id or "", "order_id": int(order_id)}
        # The consumer span comes from the Celery instrumentation; tag it too.
        trace.get_current_span().set_attributes(attributes)
        exemplar = _trace_exemplar()
        started = time.perf_counter()
        try:
            with tracer().start_as_current_span(self.name, attributes=attributes):
                return super().__call__(*args, **kwargs)
        finally:
            CELERY_TASK_DURATION.labels(task=self.name).observe(time.perf_counter() - started, exemplar=exemplar)


# How long a task whose next step could not be published waits before going back to
# the queue: a broker that refuses publishes (nack, full queue) is not hammered.
REQUEUE_PAUSE_SECONDS = 1.0


def _publish_next(task_name: str, order_id: int) -> None:
    """Publish the next step, or put this task's message back on the queue.

    A step is done only once its successor is in RabbitMQ: acknowledging the message
    after a failed publish would leave the order stuck in its current status for good.
    """
    try:
        publish(task_name, order_id, settings)
    except Exception as exc:  # kombu/amqp raise many types (nack, timeout, lost connection)
        log.warning("next step not published; requeueing this task",
                    extra={"order_id": order_id, "next_task": task_name, "error": repr(exc)})
        time.sleep(REQUEUE_PAUSE_SECONDS)
        raise Reject(repr(exc), requeue=True) from exc


# --- The pipeline ---------------------------------------------------------------
@celery_app.task(name=PROCESS_ORDER, base=OrderTask, bind=True)
def process_order(self: Task, order_id: int) -> str:
    faults.task_faults(PROCESS_ORDER)
    extra = {"order_id": order_id, "attempt": self.request.retries + 1}
    try:
        if db.start_processing(pool(), order_id):
            log.info("processing order", extra=extra)
            time.sleep(settings.order_processing_seconds)
            if db.finish_processing(pool(), order_id):
                log.info("order processed", extra=extra)
        status = db.order_status(pool(), order_id)
    except db.OrderNotFound:
        log.error("order does not exist, dropping message", extra=extra)
        return "missing"
    if status == "processed":
        _publish_next(SEND_CONFIRMATION_EMAIL, order_id)
    else:
        log.info("order already past processing, nothing to do", extra={**extra, "status": status})
    return status


@celery_app.task(name=SEND_CONFIRMATION_EMAIL, base=OrderTask, bind=True)
def send_confirmation_email(self: Task, order_id: int) -> str:
    faults.task_faults(SEND_CONFIRMATION_EMAIL)
    extra = {"order_id": order_id, "attempt": self.request.retries + 1}
    try:
        status = db.order_status(pool(), order_id)
        if status == "processed":
            time.sleep(settings.email_seconds)  # the SMTP round trip
            journey_seconds = db.confirm(pool(), order_id)
            if journey_seconds is not None:
                PURCHASE_JOURNEY_DURATION.observe(journey_seconds, exemplar=_trace_exemplar())
                log.info("confirmation e-mail sent", extra={**extra, "journey_seconds": journey_seconds})
            status = db.order_status(pool(), order_id)
    except db.OrderNotFound:
        log.error("order does not exist, dropping message", extra=extra)
        return "missing"
    if status == "confirmed":
        _publish_next(CLEANUP_ORDER, order_id)
    else:
        log.info("no e-mail to send in this state", extra={**extra, "status": status})
    return status


@celery_app.task(name=CLEANUP_ORDER, base=OrderTask, bind=True)
def cleanup_order(self: Task, order_id: int) -> str:
    faults.task_faults(CLEANUP_ORDER)
    time.sleep(settings.cleanup_seconds)
    if db.complete(pool(), order_id):
        log.info("order completed", extra={"order_id": order_id})
        return "completed"
    return "unchanged"


# --- Safety net for orders that never reached the broker -------------------------
def requeue_stranded_orders() -> int:
    """Publish process_order for committed orders that were never enqueued; returns how many."""
    requeued = 0
    with suppress_instrumentation():  # a periodic probe is not worth a trace every few seconds
        stranded = db.stranded_orders(pool(), settings.requeue_after_seconds)
    for order in stranded:
        # Re-enter the checkout's trace so the late processing still joins it.
        parent = extract({"traceparent": order["traceparent"]}) if order["traceparent"] else None
        token = otel_context.attach(parent) if parent is not None else None
        cid_token = correlation_id_var.set(order["correlation_id"])
        try:
            publish(PROCESS_ORDER, order["id"], settings)
            db.mark_enqueued(pool(), order["id"])
            requeued += 1
            log.warning("re-enqueued stranded order", extra={"order_id": order["id"]})
        finally:
            correlation_id_var.reset(cid_token)
            if token is not None:
                otel_context.detach(token)
    return requeued


def _sweep_stranded_orders() -> None:
    interval = max(1.0, settings.requeue_after_seconds / 3)
    while not _sweeper_stop.wait(interval):
        try:
            requeue_stranded_orders()
        except Exception:  # keep sweeping; the next round may succeed
            log.exception("stranded-order sweep failed")


def main(argv: list[str] | None = None) -> None:
    """`python -m recordstore.worker [extra celery worker options]`."""
    # --quiet drops Celery's banner, the only non-JSON text it prints on stdout.
    args = [
        "--quiet", "worker", "--pool", "threads", "--queues", ORDERS_QUEUE, "--loglevel", settings.log_level,
        # One worker node: no need to wait for peers at start-up or to gossip with them.
        "--without-mingle", "--without-gossip",
    ]
    celery_app.start(args + list(argv if argv is not None else sys.argv[1:]))
