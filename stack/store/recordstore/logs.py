"""JSON logs, one object per line on stdout, carrying the request's context.

The correlation id lives in a context variable set by the API middleware or by
the worker when a task starts; trace and span ids come from the current
OpenTelemetry span. Every log line emitted while handling a request or a task
therefore carries all three without the call sites passing them around.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import uuid
from datetime import datetime, timezone

from opentelemetry import trace

correlation_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "correlation_id", default=None
)

# Accept client-chosen ids (the seed uses "abc-123-def") but refuse anything
# that could break log lines or headers, or blow up their size.
_CORRELATION_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")

# Attributes every LogRecord has; anything else was passed via `extra=`.
# uvicorn's color_message duplicates the message with terminal escapes.
_STANDARD_RECORD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None))
) | {"message", "asctime", "taskName", "color_message"}


def new_correlation_id() -> str:
    return str(uuid.uuid4())


def accept_correlation_id(candidate: str | None) -> str:
    """The incoming id when it is well-formed, a fresh one otherwise."""
    if candidate and _CORRELATION_ID_PATTERN.match(candidate):
        return candidate
    return new_correlation_id()


def current_trace_ids() -> tuple[str | None, str | None]:
    span_context = trace.get_current_span().get_span_context()
    if not span_context.is_valid:
        return None, None
    return format(span_context.trace_id, "032x"), format(span_context.span_id, "016x")


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        trace_id, span_id = current_trace_ids()
        payload = {
            "timestamp": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": self.service,
            "correlation_id": correlation_id_var.get(),
            "trace_id": trace_id,
            "span_id": span_id,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_RECORD_ATTRIBUTES and key not in payload:
                payload[key] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, sort_keys=True, default=str)


def configure_logging(service: str, level: str = "INFO") -> None:
    """Route every logger (ours, uvicorn's, celery's) to one JSON handler on stdout."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    # Library warnings (e.g. Celery's "running as root") become JSON lines too.
    logging.captureWarnings(True)
    for name in ("uvicorn", "uvicorn.error", "celery", "celery.worker", "celery.app.trace"):
        named = logging.getLogger(name)
        named.handlers.clear()
        named.propagate = True
    # The API logs its own structured line per request; uvicorn's access line
    # would duplicate it without the status-independent fields.
    logging.getLogger("uvicorn.access").disabled = True
    # Client libraries are chatty at INFO (one line per HTTP call).
    logging.getLogger("httpx").setLevel(logging.WARNING)
