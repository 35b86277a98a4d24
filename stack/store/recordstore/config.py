"""Settings of the record store, read from environment variables.

Every process (API, worker, payment gateway) reads the same variables, so one
environment file can configure a whole stack. Defaults match the native stack
contract (loopback ports, PostgreSQL on 55432).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

API_SERVICE_NAME = "kodekloud-record-store-api"
WORKER_SERVICE_NAME = "kodekloud-record-store-worker"
PAYMENT_SERVICE_NAME = "kodekloud-record-store-payment-gateway"

ORDERS_QUEUE = "orders"


def _env_str(name: str, default: str | None) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def _env_float(name: str, default: float) -> float:
    raw = _env_str(name, None)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc


def _env_int(name: str, default: int) -> int:
    raw = _env_str(name, None)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    database_url: str
    broker_url: str
    payment_url: str
    otlp_endpoint: str | None
    trace_file: str | None
    log_level: str
    # Background work durations (the seed's latency breakdown).
    order_processing_seconds: float
    email_seconds: float
    cleanup_seconds: float
    # Failure-injection knobs (drills).
    error_rate: float
    slow_seconds: float
    task_failure_rate: float
    payment_error_rate: float
    payment_decline_rate: float
    payment_slow_seconds: float
    # Timeouts that keep the API answering quickly when a dependency is down.
    db_connect_timeout_seconds: int
    db_pool_timeout_seconds: float
    db_pool_max_size: int
    payment_timeout_seconds: float
    broker_publish_timeout_seconds: float
    # Worker.
    worker_metrics_port: int
    worker_metrics_host: str
    worker_concurrency: int
    task_max_retries: int
    requeue_after_seconds: float
    admin_enabled: bool


def load_settings() -> Settings:
    return Settings(
        database_url=_env_str(
            "RECORDSTORE_DATABASE_URL",
            "postgresql://recordstore:recordstore@127.0.0.1:55432/recordstore",
        ),
        broker_url=_env_str("RECORDSTORE_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//"),
        payment_url=_env_str("RECORDSTORE_PAYMENT_URL", "http://127.0.0.1:8002").rstrip("/"),
        otlp_endpoint=_env_str("OTEL_EXPORTER_OTLP_ENDPOINT", None),
        trace_file=_env_str("RECORDSTORE_TRACE_FILE", None),
        log_level=_env_str("RECORDSTORE_LOG_LEVEL", "INFO").upper(),
        order_processing_seconds=_env_float("RECORDSTORE_ORDER_PROCESSING_SECONDS", 3.0),
        email_seconds=_env_float("RECORDSTORE_EMAIL_SECONDS", 2.0),
        cleanup_seconds=_env_float("RECORDSTORE_CLEANUP_SECONDS", 0.1),
        error_rate=_env_float("RECORDSTORE_ERROR_RATE", 0.0),
        slow_seconds=_env_float("RECORDSTORE_SLOW_SECONDS", 0.0),
        task_failure_rate=_env_float("RECORDSTORE_TASK_FAILURE_RATE", 0.0),
        payment_error_rate=_env_float("RECORDSTORE_PAYMENT_ERROR_RATE", 0.0),
        payment_decline_rate=_env_float("RECORDSTORE_PAYMENT_DECLINE_RATE", 0.0),
        payment_slow_seconds=_env_float("RECORDSTORE_PAYMENT_SLOW_SECONDS", 0.0),
        db_connect_timeout_seconds=_env_int("RECORDSTORE_DB_CONNECT_TIMEOUT_SECONDS", 2),
        db_pool_timeout_seconds=_env_float("RECORDSTORE_DB_POOL_TIMEOUT_SECONDS", 3.0),
        db_pool_max_size=_env_int("RECORDSTORE_DB_POOL_MAX_SIZE", 10),
        payment_timeout_seconds=_env_float("RECORDSTORE_PAYMENT_TIMEOUT_SECONDS", 5.0),
        broker_publish_timeout_seconds=_env_float("RECORDSTORE_BROKER_PUBLISH_TIMEOUT_SECONDS", 2.0),
        worker_metrics_port=_env_int("RECORDSTORE_WORKER_METRICS_PORT", 9808),
        # Loopback by default; compose sets 0.0.0.0 so Prometheus can scrape across the network.
        worker_metrics_host=_env_str("RECORDSTORE_WORKER_METRICS_HOST", "127.0.0.1"),
        worker_concurrency=_env_int("RECORDSTORE_WORKER_CONCURRENCY", 8),
        task_max_retries=_env_int("RECORDSTORE_TASK_MAX_RETRIES", 8),
        requeue_after_seconds=_env_float("RECORDSTORE_REQUEUE_AFTER_SECONDS", 15.0),
        # Off unless asked for: /admin/faults lets anyone who reaches the port break the store.
        admin_enabled=_env_str("RECORDSTORE_ADMIN_ENABLED", "0") not in ("0", "false", "no"),
    )
