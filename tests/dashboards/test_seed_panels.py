"""The seed's dashboard ("Complete Purchase Journey Dashboard" + debugging workflow) is there and
reads the right series."""

from __future__ import annotations

import re

from obsgen.artifacts.prometheus import rule_groups
from obsgen.artifacts.prometheus.types import RecordingRule
from tests.dashboards.conftest import by_title, exprs, panels

ROWS = ["Purchase journey: overview", "Request flow through the stages", "End-to-end journey time",
        "Distributed trace analysis", "SLOs and error budget", "Dependencies", "Errors by stage"]
RECORDED_NAME = re.compile(r"\b([a-z_]+:[a-z0-9_]+:[a-z0-9_]+)\{")


def test_rows_in_the_issue_order(dashboard):
    assert [p["title"] for p in dashboard["panels"] if p["type"] == "row"] == ROWS


def test_overview_has_checkout_rate_success_and_p95_with_slo_thresholds(dashboard):
    rate = by_title(dashboard, "Checkout requests/s")
    assert exprs(rate) == ['journey_stage:requests:rate5m{journey="purchase",stage="checkout"}']
    assert rate["fieldConfig"]["defaults"]["unit"] == "reqps"
    success = by_title(dashboard, "Checkout success rate")
    assert exprs(success) == ['1 - slo:sli_error:ratio_rate5m{journey="purchase",slo="checkout-success"}']
    assert success["fieldConfig"]["defaults"]["thresholds"]["steps"] == [
        {"color": "red", "value": None}, {"color": "green", "value": 0.999}]
    p95 = by_title(dashboard, "Checkout latency p95")
    assert exprs(p95) == ['max(journey_stage:latency_seconds:p95_rate5m{journey="purchase",stage="checkout"})']
    assert p95["fieldConfig"]["defaults"]["thresholds"]["steps"][-1] == {"color": "red", "value": 0.5}


def test_overview_business_kpis(dashboard):
    assert exprs(by_title(dashboard, "Orders per hour")) == ['sum(journey:orders:rate5m{journey="purchase"}) * 3600']
    today = by_title(dashboard, "Orders today")
    assert today["timeFrom"] == "now/d"
    assert exprs(today) == ['sum(sum_over_time(journey:orders:rate5m{journey="purchase"}[$__range:5m])) * 300']
    revenue = by_title(dashboard, "Revenue by payment method per hour")
    assert revenue["fieldConfig"]["defaults"]["unit"] == "currencyUSD"


def test_request_flow_is_in_journey_order_with_conversions(dashboard):
    flow = [p for p in panels(dashboard) if p["title"].endswith("/s") and 17 <= p["gridPos"]["y"] < 27]
    stages = [re.search(r'stage="(\w+)"', exprs(p)[0]).group(1) for p in sorted(flow, key=lambda p: p["gridPos"]["x"])]
    assert stages == ["browse", "checkout", "order_processing", "email"]
    conversion = by_title(dashboard, "Checkout → Order processing")
    assert exprs(conversion) == [
        'sum(journey_stage:requests:rate5m{journey="purchase",stage="order_processing"})\n/\n'
        'sum(journey_stage:requests:rate5m{journey="purchase",stage="checkout"})']


def test_latency_panels_show_p50_p95_and_background_p95_with_exemplars(dashboard):
    checkout = by_title(dashboard, "Checkout: API response time")
    legends = [t["legendFormat"] for t in checkout["targets"]]
    assert legends[:2] == ["p50", "p95"]
    exemplar = [t for t in checkout["targets"] if t["exemplar"]]
    assert len(exemplar) == 1 and "http_request_duration_seconds_bucket{" in exemplar[0]["expr"]
    assert [s["value"] for s in checkout["fieldConfig"]["defaults"]["thresholds"]["steps"]] == [None, 0.5, 1]
    background = by_title(dashboard, "Order processing: background processing time")
    assert 'journey_stage:latency_seconds:p95_rate5m{journey="purchase",stage="order_processing"}' in exprs(background)
    journey = by_title(dashboard, "Click to confirmation e-mail: end-to-end time")
    assert journey["fieldConfig"]["defaults"]["thresholds"]["steps"][-1] == {"color": "red", "value": 10}


def test_trace_panel_is_driven_by_the_trace_id_variable(dashboard):
    trace = by_title(dashboard, "Trace ${trace_id}")
    assert trace["type"] == "traces"
    assert trace["targets"][0]["query"] == "${trace_id}"
    assert trace["datasource"] == {"type": "jaeger", "uid": "${traces_datasource}"}
    search = by_title(dashboard, "Traces of correlation ID ${correlation_id}")
    assert search["targets"][0]["tags"] == "correlation_id=${correlation_id}"
    link = search["fieldConfig"]["overrides"][0]["properties"][0]["value"][0]["url"]
    assert link.startswith(f"/d/{dashboard['uid']}/purchase?var-trace_id=${{__value.raw}}")


def test_latency_data_links_carry_the_trace_id_to_jaeger(dashboard):
    links = by_title(dashboard, "Checkout: API response time")["fieldConfig"]["defaults"]["links"]
    assert links[0]["url"] == "http://localhost:16686/trace/${trace_id}"


def test_slo_row_reads_recorded_slo_series_and_draws_burn_rate_thresholds(dashboard):
    burn = by_title(dashboard, "Checkout success rate: burn rate")
    assert 'slo:burn_rate_threshold:ratio{journey="purchase",slo="checkout-success"}' in exprs(burn)
    assert burn["fieldConfig"]["overrides"][0]["matcher"] == {"id": "byFrameRefID", "options": "C"}
    budget = by_title(dashboard, "Checkout success rate: budget left")
    assert exprs(budget) == ['slo:period_error_budget_remaining:ratio{journey="purchase",slo="checkout-success"}']


def test_dependencies_show_health_prediction_and_transitive_impact(dashboard):
    assert exprs(by_title(dashboard, "PostgreSQL")) == ['max(pg_up{job="postgres"}) or vector(0)']
    backlog = by_title(dashboard, "RabbitMQ: backlog and prediction")
    assert 'max(predict_linear(rabbitmq_queue_messages_ready{queue="orders"}[30m], 3600))' in exprs(backlog)
    impact = by_title(dashboard, "RabbitMQ: what it takes down")["options"]["content"]
    assert "stage **Order processing** stops (through RabbitMQ, Celery worker)" in impact
    assert "Celery worker goes down with it" in impact


def test_errors_by_stage_for_every_stage(dashboard):
    for title in ("Product browsing", "Checkout", "Order processing", "Confirmation e-mail"):
        assert by_title(dashboard, f"{title}: errors")
    checkout = by_title(dashboard, "Checkout: errors")
    assert checkout["fieldConfig"]["defaults"]["thresholds"]["steps"][-1] == {"color": "red", "value": 0.05}


def test_every_recorded_series_the_dashboard_reads_is_recorded(purchase_journey, dashboard):
    recorded = {r.record for g in rule_groups(purchase_journey) for r in g.rules if isinstance(r, RecordingRule)}
    used = {name for p in panels(dashboard) for e in exprs(p) for name in RECORDED_NAME.findall(e)}
    assert used and used <= recorded, used - recorded


def test_every_panel_has_title_description_unit_and_variable_datasource(dashboard):
    for panel in panels(dashboard):
        assert panel["title"] and len(panel["description"]) > 40, panel["title"]
        if panel["type"] != "text":
            assert panel["fieldConfig"]["defaults"].get("unit"), panel["title"]
            assert panel["datasource"]["uid"] in ("${datasource}", "${traces_datasource}"), panel["title"]
