"""The API's HTTP behaviour with no servers running: PostgreSQL and RabbitMQ
point at closed loopback ports, so every dependency failure here is real
(connection refused), not mocked."""

from __future__ import annotations

import importlib
import os

import pytest
from fastapi.testclient import TestClient
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
from prometheus_client.parser import text_string_to_metric_families as parse_prometheus
from storestack import free_port

UNIT_ENV = {
    "RECORDSTORE_DB_CONNECT_TIMEOUT_SECONDS": "1",
    "RECORDSTORE_DB_POOL_TIMEOUT_SECONDS": "1",
    "RECORDSTORE_BROKER_PUBLISH_TIMEOUT_SECONDS": "1",
    "RECORDSTORE_ERROR_RATE": "0",
    "RECORDSTORE_SLOW_SECONDS": "0",
    "RECORDSTORE_ADMIN_ENABLED": "1",
}


@pytest.fixture(scope="module")
def api_module():
    saved = {key: os.environ.get(key) for key in [*UNIT_ENV, "RECORDSTORE_DATABASE_URL", "RECORDSTORE_BROKER_URL",
                                                  "RECORDSTORE_TRACE_FILE", "OTEL_EXPORTER_OTLP_ENDPOINT"]}
    os.environ.update(UNIT_ENV)
    os.environ["RECORDSTORE_DATABASE_URL"] = f"postgresql://recordstore:recordstore@127.0.0.1:{free_port()}/recordstore"
    os.environ["RECORDSTORE_BROKER_URL"] = f"amqp://guest:guest@127.0.0.1:{free_port()}//"
    os.environ.pop("RECORDSTORE_TRACE_FILE", None)
    os.environ.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    import recordstore.api

    module = importlib.reload(recordstore.api) if hasattr(recordstore.api, "app") else recordstore.api
    yield module
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def client(api_module):
    with TestClient(api_module.app) as test_client:
        yield test_client


def test_health_answers_and_echoes_the_correlation_id(client):
    response = client.get("/health", headers={"X-Correlation-ID": "abc-123-def"})
    assert response.status_code == 200
    assert response.headers["x-correlation-id"] == "abc-123-def"
    assert len(response.headers["x-trace-id"]) == 32


def test_a_correlation_id_is_generated_when_missing(client):
    first = client.get("/health").headers["x-correlation-id"]
    second = client.get("/health").headers["x-correlation-id"]
    assert first != second and len(first) == 36


def test_database_down_gives_503_json_with_the_correlation_id(client):
    for method, path, body in (("GET", "/products", None), ("GET", "/products/1", None),
                               ("GET", "/orders/1", None), ("POST", "/checkout", {"product_id": 1, "quantity": 1})):
        response = client.request(method, path, json=body, headers={"X-Correlation-ID": "db-down-1"})
        assert response.status_code == 503, (path, response.text)
        assert response.headers["content-type"] == "application/json"
        assert response.json()["correlation_id"] == "db-down-1"
        assert response.json()["detail"] == "database unavailable"
        assert response.headers["x-correlation-id"] == "db-down-1"


def test_ready_reports_each_dependency(client):
    response = client.get("/ready")
    assert response.status_code == 503
    checks = response.json()["detail"]["checks"]
    assert checks["database"].startswith("unavailable")
    assert checks["broker"].startswith("unavailable")
    assert response.json()["correlation_id"] == response.headers["x-correlation-id"]


def test_invalid_checkout_body_is_422_with_correlation_id(client):
    response = client.post("/checkout", json={"product_id": 1, "quantity": 0}, headers={"X-Correlation-ID": "bad-body"})
    assert response.status_code == 422
    assert response.json()["correlation_id"] == "bad-body"
    assert response.json()["detail"][0]["loc"] == ["body", "quantity"]


def test_injected_checkout_errors_are_json_500_and_can_be_switched_off(client):
    assert client.post("/admin/faults", json={"error_rate": 1.0}).json()["error_rate"] == 1.0
    try:
        response = client.post(
            "/checkout", json={"product_id": 1, "quantity": 1}, headers={"X-Correlation-ID": "drill-1"}
        )
        assert response.status_code == 500
        assert response.json()["correlation_id"] == "drill-1"
        assert "injected" in response.json()["detail"]
    finally:
        client.post("/admin/faults", json={"error_rate": 0.0})
    assert client.get("/admin/faults").json()["error_rate"] == 0.0


def test_admin_faults_rejects_out_of_range_values(client):
    response = client.post("/admin/faults", json={"error_rate": 2})
    assert response.status_code == 400
    assert "between 0 and 1" in response.json()["detail"]


def _samples(families, name):
    return [sample for family in families for sample in family.samples if sample.name == name]


def test_metrics_use_route_templates_and_contract_names(client):
    client.get("/products/7")  # 503 here, still counted under its template
    client.get("/no-such-page")
    families = list(parse_prometheus(client.get("/metrics").text))
    requests = _samples(families, "http_requests_total")
    handlers = {sample.labels["handler"] for sample in requests}
    assert "/products/{product_id}" in handlers
    assert "/products/7" not in handlers
    assert "unmatched" in handlers
    assert "/metrics" not in handlers
    labelled = [s for s in requests if s.labels["handler"] == "/products/{product_id}"]
    assert labelled[0].labels["code"] == "503" and labelled[0].labels["method"] == "GET"
    buckets = {s.labels["le"] for s in _samples(families, "http_request_duration_seconds_bucket")}
    assert buckets >= {"0.005", "0.5", "10.0", "+Inf"}
    names = {family.name for family in families}
    for expected in ("orders", "album_purchases", "revenue", "customer_ltv", "payment_gateway_requests"):
        assert expected in names
    outcomes = {s.labels["outcome"] for s in _samples(families, "payment_gateway_requests_total")}
    assert outcomes == {"success", "declined", "error"}


def test_openmetrics_exposition_carries_trace_id_exemplars(client):
    health = client.get("/health")
    response = client.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    families = list(parse_openmetrics(response.text))
    exemplars = [s.exemplar for s in _samples(families, "http_request_duration_seconds_bucket")
                 if s.labels["handler"] == "/health" and s.exemplar is not None]
    assert exemplars, "no exemplar on the /health latency buckets"
    assert health.headers["x-trace-id"] in {e.labels["trace_id"] for e in exemplars}
