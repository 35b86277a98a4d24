"""JSON log lines carry correlation, trace and span ids from context."""

from __future__ import annotations

import io
import json
import logging

from opentelemetry.sdk.trace import TracerProvider
from recordstore.logs import JsonFormatter, accept_correlation_id, correlation_id_var


def _logger_writing_to(stream: io.StringIO) -> logging.Logger:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("test-service"))
    logger = logging.getLogger("recordstore.test.logs")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def test_line_is_one_json_object_with_context_fields():
    stream = io.StringIO()
    logger = _logger_writing_to(stream)
    token = correlation_id_var.set("abc-123-def")
    try:
        logger.info("order accepted", extra={"order_id": 42})
    finally:
        correlation_id_var.reset(token)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["correlation_id"] == "abc-123-def"
    assert record["message"] == "order accepted"
    assert record["level"] == "INFO"
    assert record["logger"] == "recordstore.test.logs"
    assert record["service"] == "test-service"
    assert record["order_id"] == 42
    assert record["trace_id"] is None and record["span_id"] is None


def test_trace_and_span_ids_come_from_the_current_span():
    stream = io.StringIO()
    logger = _logger_writing_to(stream)
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("work") as span:
        logger.warning("inside a span")
        context = span.get_span_context()
    record = json.loads(stream.getvalue())
    assert record["trace_id"] == format(context.trace_id, "032x")
    assert record["span_id"] == format(context.span_id, "016x")
    assert record["correlation_id"] is None


def test_exceptions_stay_on_one_line():
    stream = io.StringIO()
    logger = _logger_writing_to(stream)
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        logger.exception("failed")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert "ValueError: boom" in record["exception"]
    assert record["level"] == "ERROR"


def test_well_formed_correlation_ids_are_kept():
    assert accept_correlation_id("abc-123-def") == "abc-123-def"
    assert accept_correlation_id("req:7.a_b") == "req:7.a_b"


def test_malformed_or_missing_correlation_ids_are_replaced():
    for bad in (None, "", "has space", "x" * 129, "quote\"", "new\nline"):
        replaced = accept_correlation_id(bad)
        assert replaced != bad
        assert len(replaced) == 36  # a fresh uuid4
