"""The Celery application over RabbitMQ, shared by the API (publisher) and the worker.

Reliability settings live here because both sides need them: publisher
confirms so the API only answers once RabbitMQ holds the message; durable
queue and persistent messages so a broker restart keeps them; late acks so a
worker crash returns the message to the queue.
"""

from __future__ import annotations

from celery import Celery
from celery.signals import before_task_publish

from recordstore.config import ORDERS_QUEUE, Settings, load_settings
from recordstore.logs import correlation_id_var

CORRELATION_HEADER = "x_correlation_id"
BROKER_HEARTBEAT_SECONDS = 10

PROCESS_ORDER = "process_order"
SEND_CONFIRMATION_EMAIL = "send_confirmation_email"
CLEANUP_ORDER = "cleanup_order"


def create_celery_app(settings: Settings) -> Celery:
    app = Celery("recordstore", broker=settings.broker_url)
    app.conf.update(
        task_default_queue=ORDERS_QUEUE,
        task_create_missing_queues=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_prefetch_multiplier=1,
        worker_concurrency=settings.worker_concurrency,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        # No `celery inspect/control` here: without the exclusive pidbox queue,
        # two workers with the same node name (a restart racing the old
        # connection's close, or a second replica) can share the broker.
        worker_enable_remote_control=False,
        broker_connection_timeout=settings.broker_publish_timeout_seconds,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"confirm_publish": True},
        # A dead connection (half-open socket, broker gone without a FIN) is noticed after
        # about two heartbeats. RabbitMQ's consumer timeout (30 min) is far above any task.
        broker_heartbeat=BROKER_HEARTBEAT_SECONDS,
        # Off: after a reconnect Celery lowers the prefetch count and raises it again from
        # the pool thread that acks each task, with a synchronous basic.qos on the
        # connection the event loop is reading too. py-amqp is not thread-safe: both
        # threads wait for the same qos-ok, nothing runs until the broker drops the
        # connection for missed heartbeats (measured: 90 s, BENCHMARKS.md "Reference stack").
        # Without it a reconnected worker may hold up to twice its concurrency for one
        # task length, which is harmless (tasks are idempotent).
        worker_enable_prefetch_count_reduction=False,
        # Threads cannot be cancelled; tasks running at a connection loss finish, their
        # acks fail and RabbitMQ redelivers them (harmless, see above).
        worker_cancel_long_running_tasks_on_connection_loss=False,
    )
    return app


celery_app = create_celery_app(load_settings())


@before_task_publish.connect
def _carry_correlation_id(headers: dict | None = None, **_: object) -> None:
    """Copy the current correlation id into every published task's headers."""
    correlation_id = correlation_id_var.get()
    if headers is not None and correlation_id and CORRELATION_HEADER not in headers:
        headers[CORRELATION_HEADER] = correlation_id


def publish(task_name: str, order_id: int, settings: Settings, countdown: float | None = None) -> str:
    """Send a task by name (the API does not import the worker's code); returns the task id."""
    timeout = settings.broker_publish_timeout_seconds
    result = celery_app.send_task(
        task_name,
        args=(order_id,),
        queue=ORDERS_QUEUE,
        countdown=countdown,
        retry=True,
        retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": timeout / 4, "interval_max": timeout},
    )
    return result.id


def check_broker(settings: Settings) -> None:
    """Open and close one AMQP connection; raises when RabbitMQ is unreachable."""
    with celery_app.connection_for_write() as conn:
        conn.connect_timeout = settings.broker_publish_timeout_seconds
        conn.connect()
