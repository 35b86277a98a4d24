"""OpenTelemetry set-up shared by the API, the worker and the payment gateway.

Spans go to OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set (compose and
the native stack send them to Jaeger), otherwise to RECORDSTORE_TRACE_FILE as
JSON lines (the store's own tests, and a native stack that cannot build Jaeger).
With neither, spans are still created so that logs and exemplars carry real
trace ids.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

from recordstore.config import Settings

# Span files stay under (TRACE_FILE_BACKUPS + 1) * TRACE_FILE_MAX_BYTES per file (docs/stack.md "Disk").
TRACE_FILE_MAX_BYTES = 10 * 1024 * 1024
TRACE_FILE_BACKUPS = 3

_configured_service: str | None = None
_configure_lock = threading.Lock()


class JsonLinesFileExporter(SpanExporter):
    """Appends one JSON object per span to a file, rotated by size.

    Several processes may share the file, so each span is written with a single
    os.write on an O_APPEND descriptor: lines from different processes never
    interleave mid-line. Before the file grows past max_bytes it becomes
    FILE.1 (FILE.1 becomes FILE.2, ... up to FILE.<backups>); a process that
    finds the file rotated by another reopens it.
    """

    def __init__(self, path: str, max_bytes: int = TRACE_FILE_MAX_BYTES, backups: int = TRACE_FILE_BACKUPS):
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        self._path = path
        self._max_bytes = max_bytes
        self._backups = backups
        self._fd = self._open()
        self._lock = threading.Lock()

    def _open(self) -> int:
        return os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def _reopen_if_rotated(self) -> None:
        try:
            current = os.stat(self._path).st_ino
        except FileNotFoundError:
            current = None
        if current != os.fstat(self._fd).st_ino:
            os.close(self._fd)
            self._fd = self._open()

    def _rotate(self) -> None:
        for index in range(self._backups - 1, 0, -1):
            older = f"{self._path}.{index}"
            if os.path.exists(older):
                os.replace(older, f"{self._path}.{index + 1}")
        os.replace(self._path, f"{self._path}.1")
        os.close(self._fd)
        self._fd = self._open()

    def _write(self, data: bytes) -> None:
        self._reopen_if_rotated()
        size = os.fstat(self._fd).st_size
        if size and size + len(data) > self._max_bytes:
            self._rotate()
        os.write(self._fd, data)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        with self._lock:
            if self._fd < 0:
                return SpanExportResult.FAILURE
            for span in spans:
                line = span.to_json(indent=None).replace("\n", " ") + "\n"
                self._write(line.encode("utf-8"))
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


def _build_exporter(settings: Settings) -> SpanExporter | None:
    if settings.otlp_endpoint:
        # Imported lazily: only compose needs it, and it pulls in protobuf.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        # The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT itself and appends /v1/traces.
        return OTLPSpanExporter()
    if settings.trace_file:
        return JsonLinesFileExporter(settings.trace_file)
    return None


def configure_tracing(service_name: str, settings: Settings) -> TracerProvider:
    """Install the global TracerProvider once per process."""
    global _configured_service
    with _configure_lock:
        current = trace.get_tracer_provider()
        if _configured_service is not None and isinstance(current, TracerProvider):
            return current
        provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service_name}))
        exporter = _build_exporter(settings)
        if exporter is not None:
            provider.add_span_processor(BatchSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
        _configured_service = service_name
        return provider


def tracer() -> trace.Tracer:
    return trace.get_tracer("recordstore")


def current_trace_id() -> str | None:
    span_context = trace.get_current_span().get_span_context()
    return format(span_context.trace_id, "032x") if span_context.is_valid else None
