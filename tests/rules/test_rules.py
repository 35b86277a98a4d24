"""The generated rules: promtool-clean, named by convention, and covering the seed's alerts."""

from __future__ import annotations

import re

import pytest

from obsgen.artifacts.prometheus import all_alerts, rule_groups
from obsgen.artifacts.prometheus.emit import emit_rules
from obsgen.artifacts.prometheus.sli import sli_error_ratio
from obsgen.tools import promtool

RECORD_NAME = re.compile(r"^[a-z_]+:[a-z_]+:[a-z0-9_]+$")


@pytest.fixture(scope="module")
def alerts(purchase_journey):
    return {(a.alert, a.severity): a for a in all_alerts(purchase_journey)}


@pytest.mark.integration
def test_rule_files_pass_promtool(purchase_journey, tmp_path):
    paths = []
    for artifact in emit_rules(purchase_journey):
        path = tmp_path / artifact.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(artifact.content)
        paths.append(path)
    assert promtool.check_rules(paths) == []


def test_recording_rule_names_follow_level_metric_operations(purchase_journey):
    names = {r.record for g in rule_groups(purchase_journey) for r in g.rules if hasattr(r, "record")}
    assert names and all(RECORD_NAME.match(n) for n in names), sorted(n for n in names if not RECORD_NAME.match(n))


def test_sli_windows_cover_every_burn_rate_window(purchase_journey):
    records = {(r.record, dict(r.labels)["slo"]) for g in rule_groups(purchase_journey) for r in g.rules
               if getattr(r, "record", "").startswith("slo:sli_error:")}
    for slo in purchase_journey.slos:
        for window in ("5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"):
            assert (f"slo:sli_error:ratio_rate{window}", slo.name) in records


def test_every_slo_has_page_and_ticket_burn_rate_alerts(purchase_journey, alerts):
    for slo in purchase_journey.slos:
        page = alerts[(slo.alert_name, "page")]
        ticket = alerts[(slo.alert_name, "ticket")]
        assert "(14.4 * " in page.expr and "ratio_rate1h" in page.expr and "ratio_rate5m" in page.expr
        assert "(6 * " in page.expr and "ratio_rate6h" in page.expr and "ratio_rate30m" in page.expr
        assert "(3 * " in ticket.expr and "ratio_rate1d" in ticket.expr and "ratio_rate2h" in ticket.expr
        assert "(1 * " in ticket.expr and "ratio_rate3d" in ticket.expr and "ratio_rate6h" in ticket.expr


def test_seed_alerts_are_reproduced_from_the_spec(alerts):
    errors = alerts[("HighCheckoutErrorRate", "page")]
    assert errors.expr == (
        'sum(rate(http_requests_total{job="api",handler="/checkout",method="POST",code=~"[45].."}[5m]))\n/\n'
        'sum(rate(http_requests_total{job="api",handler="/checkout",method="POST"}[5m]))\n> 0.05'
    )
    assert errors.for_ == "2m"
    slow = alerts[("SlowCheckoutPerformance", "page")]
    assert slow.expr == ('histogram_quantile(0.95, sum by (le)(rate(http_request_duration_seconds_bucket'
                         '{job="api",handler="/checkout",method="POST"}[5m])))\n> 1')
    assert slow.for_ == "5m"
    jobs = alerts[("HighJobFailureRate", "page")]
    assert 'celery_tasks_total{job="worker",task="process_order",state="FAILURE"}' in jobs.expr
    assert jobs.expr.endswith("> 0.1") and jobs.for_ == "1m"
    predicted = alerts[("PurchaseRabbitmqBacklogPredictedHigh", "ticket")]
    assert predicted.expr == 'max(predict_linear(rabbitmq_queue_messages_ready{queue="orders"}[30m], 3600)) > 1000'


def test_every_alert_carries_severity_and_annotations(alerts):
    for (name, severity), alert in alerts.items():
        # A recently-down companion only inhibits: severity none, active from its first evaluation.
        companion = alert.kind == "dependency-recently-down"
        assert severity in (("none",) if companion else ("page", "ticket")), name
        annotations = dict(alert.annotations)
        assert set(annotations) == {"summary", "description", "runbook_url", "dashboard_url"}, name
        assert annotations["runbook_url"].endswith(f"purchase.md#{name.lower()}")
        assert alert.label("journey") == "purchase"
        assert (alert.for_ == "0s") if companion else alert.for_ not in ("", "0s")


def test_dependency_down_alert_treats_missing_health_as_down(alerts):
    down = alerts[("PurchaseDatabaseDown", "page")]
    assert down.expr == '(max(pg_up{job="postgres"}) or vector(0)) < 1'


def test_absent_data_alerts_for_every_stage_an_slo_reads(purchase_journey, alerts):
    used = {s for slo in purchase_journey.slos for s in slo.stages}
    for stage in purchase_journey.stages:
        present = (stage.data_missing_alert, "ticket") in alerts
        assert present == (stage.name in used), stage.name
    assert ("PurchaseJourneyTimeDataMissing", "ticket") in alerts


def test_latency_sli_counts_events_over_the_threshold(purchase_journey):
    slo = next(s for s in purchase_journey.slos if s.name == "checkout-latency")
    expr = sli_error_ratio(purchase_journey, slo, 300)
    assert expr.startswith("1 - (")
    assert 'le="0.5"' in expr and "http_request_duration_seconds_count" in expr


def test_integral_bucket_bounds_match_both_client_spellings(purchase_journey):
    slo = next(s for s in purchase_journey.slos if s.name == "order-completion")
    assert 'le=~"10(\\\\.0)?"' in sli_error_ratio(purchase_journey, slo, 300)
