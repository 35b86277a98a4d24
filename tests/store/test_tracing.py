"""Span export: JSON lines to a file (native stack) or OTLP/HTTP (compose's Jaeger).

The OTLP case posts to a real HTTP receiver on loopback and decodes the
protobuf it got, the way Jaeger's OTLP endpoint would.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from recordstore.config import API_SERVICE_NAME, load_settings
from recordstore.tracing import JsonLinesFileExporter, _build_exporter


def _provider(exporter) -> TracerProvider:
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: API_SERVICE_NAME}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


def test_without_endpoint_or_file_nothing_is_exported(monkeypatch):
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("RECORDSTORE_TRACE_FILE", raising=False)
    assert _build_exporter(load_settings()) is None


def test_trace_file_gets_one_json_object_per_span(tmp_path, monkeypatch):
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    path = tmp_path / "traces" / "api.jsonl"
    settings = dataclasses.replace(load_settings(), trace_file=str(path), otlp_endpoint=None)
    exporter = _build_exporter(settings)
    assert isinstance(exporter, JsonLinesFileExporter)
    provider = _provider(exporter)
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("checkout_order", attributes={"correlation_id": "abc-123-def"}) as parent:
        with tracer.start_as_current_span("SELECT"):
            pass
    provider.shutdown()
    spans = [json.loads(line) for line in path.read_text().splitlines()]
    assert [s["name"] for s in spans] == ["SELECT", "checkout_order"]
    assert {s["context"]["trace_id"] for s in spans} == {f"0x{parent.get_span_context().trace_id:032x}"}
    assert spans[1]["attributes"]["correlation_id"] == "abc-123-def"
    assert spans[1]["resource"]["attributes"]["service.name"] == API_SERVICE_NAME


class _OtlpReceiver(BaseHTTPRequestHandler):
    received: list[tuple[str, str, bytes]] = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers["Content-Type"], body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_otlp_endpoint_sends_protobuf_spans_over_http(monkeypatch):
    server = HTTPServer(("127.0.0.1", 0), _OtlpReceiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_port}"
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
        exporter = _build_exporter(load_settings())
        provider = _provider(exporter)
        with provider.get_tracer("test").start_as_current_span("checkout_order"):
            pass
        provider.shutdown()
    finally:
        server.shutdown()
        server.server_close()
    path, content_type, body = _OtlpReceiver.received[-1]
    assert path == "/v1/traces"
    assert content_type == "application/x-protobuf"
    request = ExportTraceServiceRequest.FromString(body)
    resource_spans = request.resource_spans[0]
    service = {a.key: a.value.string_value for a in resource_spans.resource.attributes}["service.name"]
    assert service == API_SERVICE_NAME
    assert [s.name for s in resource_spans.scope_spans[0].spans] == ["checkout_order"]


def test_span_files_rotate_by_size_and_stay_bounded(tmp_path):
    path = tmp_path / "api.jsonl"
    exporter = JsonLinesFileExporter(str(path), max_bytes=4000, backups=2)
    provider = _provider(exporter)
    tracer = provider.get_tracer("test")
    for index in range(100):
        with tracer.start_as_current_span(f"span-{index}"):
            pass
    provider.shutdown()
    files = sorted(tmp_path.iterdir())
    assert [f.name for f in files] == ["api.jsonl", "api.jsonl.1", "api.jsonl.2"]
    assert all(f.stat().st_size <= 4000 for f in files)
    # Every line whole, the newest span in the live file.
    lines = [json.loads(line) for f in files for line in f.read_text().splitlines()]
    assert json.loads(path.read_text().splitlines()[-1])["name"] == "span-99"
    assert len(lines) < 100  # the oldest were dropped with the oldest backup


def test_a_process_follows_a_rotation_done_by_another(tmp_path):
    path = tmp_path / "shared.jsonl"
    first, second = (JsonLinesFileExporter(str(path), max_bytes=1500, backups=1) for _ in range(2))
    providers = [_provider(first), _provider(second)]
    for index in range(40):
        with providers[index % 2].get_tracer("test").start_as_current_span(f"span-{index}"):
            pass
    for provider in providers:
        provider.shutdown()
    assert path.stat().st_size <= 1500
    assert json.loads(path.read_text().splitlines()[-1])["name"] == "span-39"
