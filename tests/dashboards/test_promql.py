"""Every PromQL expression in the dashboard parses (Prometheus' own parser, via promtool, one batch),
and against the seed's series each one returns data (promtool rule tests with the real recording rules)."""

from __future__ import annotations

import pytest
import yaml

from obsgen.artifacts.prometheus import rule_groups
from obsgen.tools import promtool
from tests.dashboards.conftest import exprs, panels, substitute, variable_choices

pytestmark = pytest.mark.integration

# The seed's instrumentation (.notes/stack-contract.md), one sample a minute for an hour.
SEED_SERIES = {
    'http_requests_total{job="api",handler="/products",method="GET",code="200"}': "0+60x60",
    'http_requests_total{job="api",handler="/products",method="GET",code="500"}': "0+1x60",
    'http_requests_total{job="api",handler="/checkout",method="POST",code="200"}': "0+30x60",
    'http_requests_total{job="api",handler="/checkout",method="POST",code="503"}': "0+1x60",
    'celery_tasks_total{job="worker",task="process_order",state="SUCCESS"}': "0+30x60",
    'celery_tasks_total{job="worker",task="process_order",state="FAILURE"}': "0+1x60",
    'celery_tasks_total{job="worker",task="send_confirmation_email",state="SUCCESS"}': "0+30x60",
    'pg_up{job="postgres"}': "1x60",
    'up{job="rabbitmq"}': "1x60",
    'up{job="worker"}': "1x60",
    'up{job="payment-gateway"}': "1x60",
    'rabbitmq_queue_messages_ready{queue="orders"}': "0+10x60",
    "orders_total": "0+30x60",
    'album_purchases_total{genre="jazz"}': "0+20x60",
    'revenue_total{payment_method="card"}': "0+900x60",
}
HISTOGRAMS = {
    'http_request_duration_seconds_bucket{job="api",handler="/products",method="GET"': ("0.05", "0.5", "1"),
    'http_request_duration_seconds_bucket{job="api",handler="/checkout",method="POST"': ("0.25", "0.5", "1"),
    'celery_task_duration_seconds_bucket{job="worker",task="process_order"': ("2.5", "5", "10"),
    'celery_task_duration_seconds_bucket{job="worker",task="send_confirmation_email"': ("1", "2.5", "5"),
    'purchase_journey_duration_seconds_bucket{job="worker"': ("5", "7.5", "10.0"),
    "customer_ltv_bucket{": ("50", "100", "500"),
}


def _histogram_series() -> dict[str, str]:
    series = {}
    for prefix, bounds in HISTOGRAMS.items():
        sep = "" if prefix.endswith("{") else ","
        for share, le in zip((10, 25, 29), bounds):
            series[f'{prefix}{sep}le="{le}"}}'] = f"0+{share}x60"
        series[f'{prefix}{sep}le="+Inf"}}'] = "0+30x60"
        count = prefix.replace("_bucket{", "_count{")
        series[count.rstrip(",") + "}" if count.endswith("{") else count + "}"] = "0+30x60"
    return series


def _prometheus_exprs(dashboard) -> list[tuple[str, str]]:
    choices = variable_choices(dashboard)
    return [(p["title"], substitute(e, choices)) for p in panels(dashboard) for e in exprs(p)]


def test_every_expression_parses(dashboard):
    found = _prometheus_exprs(dashboard)
    assert len(found) > 60
    errors = promtool.parse_exprs([e for _, e in found])
    assert [(title, e, err.message) for (title, e), err in zip(found, errors) if err] == []


def test_every_expression_returns_data_for_the_seed(purchase_journey, dashboard, tmp_path):
    rules = tmp_path / "recording.rules.yaml"
    rules.write_text(yaml.safe_dump({"groups": [g.as_dict() for g in rule_groups(purchase_journey)
                                                if g.file == "recording.rules.yaml"]}, sort_keys=False))
    series = {**SEED_SERIES, **_histogram_series()}
    found = _prometheus_exprs(dashboard)
    # absent(x) is empty exactly when x has data: an empty expectation asserts "returns something".
    # Samples every 15s, the stack's scrape interval: Grafana's $__rate_interval (1m) then holds four,
    # where a 1m interval would leave Prometheus 3's left-open [1m] range a single sample and no rate.
    tests = [{"interval": "15s",
              "input_series": [{"series": s, "values": v} for s, v in sorted(series.items())],
              "promql_expr_test": [{"expr": f"absent({e})", "eval_time": "14m", "exp_samples": []} for _, e in found]}]
    test_file = tmp_path / "dashboard.test.yaml"
    test_file.write_text(yaml.safe_dump({"rule_files": [rules.name], "evaluation_interval": "1m", "tests": tests},
                                        sort_keys=False))
    result = promtool.test_rules([test_file])
    empty = [f.expr for f in result.failures]
    titles = [title for title, e in found if f"absent({e})" in empty]
    assert result.passed, f"{len(empty)} expressions returned no data: {titles}\n{result.failures[0].text}"
