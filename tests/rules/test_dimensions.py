"""spec.by: every aggregation keeps the journey's dimensions, so one spec serves many clusters and an
alert names the cluster that burns. Proven with promtool on two clusters, one in trouble, one quiet."""

from __future__ import annotations

import promql_parser as pp
import pytest
import yaml

from obsgen.artifacts.prometheus import RecordingRule, all_alerts, rule_groups
from obsgen.artifacts.prometheus.emit import emit_rules
from obsgen.build.load import parse_journey
from obsgen.errors import SpecError
from obsgen.tools import promtool

SPEC = """\
apiVersion: obsgen/v1
kind: Journey
metadata: {name: shop, service: shop, team: web, runbookBaseUrl: https://runbooks.example.com}
spec:
  by: [cluster]
  stages:
    - name: browse
      profile: http
      match: {job: api, handler: /products}
    - name: checkout
      profile: http
      match: {job: api, handler: /checkout}
      alerts:
        errorRate: {threshold: 0.1, for: 1m}
        latency: {quantile: 0.95, threshold: 1s}
  slos:
    - {name: shop-availability, type: availability, stages: [browse, checkout], objective: 99}
    - {name: checkout-latency, type: latency, stages: [checkout], threshold: 500ms, objective: 95}
  dependencies:
    - name: database
      kind: postgresql
      health: {profile: postgresql}
      stages: [checkout]
      saturation:
        ratio: {numerator: {metric: pg_stat_activity_count}, denominator: {metric: pg_settings_max_connections}}
        threshold: 0.9
  business:
    - {name: orders, metric: orders_total, by: [payment_method], stage: checkout}
"""


@pytest.fixture(scope="module")
def journey():
    return parse_journey(SPEC, "shop.yaml")


def _aggregations(node):
    """Every aggregation in a parsed PromQL expression."""
    if isinstance(node, pp.AggregateExpr):
        yield node
    for attr in ("expr", "lhs", "rhs", "param"):
        child = getattr(node, attr, None)
        if child is not None and not isinstance(child, (str, int, float)):
            yield from _aggregations(child)
    for arg in getattr(node, "args", None) or ():
        yield from _aggregations(arg)


def _grouping(aggregation) -> set[str]:
    modifier = aggregation.modifier
    return set(modifier.labels) if modifier is not None and str(modifier).startswith("by") else set()


def test_every_aggregation_of_every_rule_keeps_the_dimension(journey):
    rules = [r for g in rule_groups(journey) for r in g.rules] + all_alerts(journey)
    checked = 0
    for rule in rules:
        if rule.expr.startswith("absent("):
            continue  # absent() cannot keep labels it has no series for (see the absent alerts)
        for aggregation in _aggregations(pp.parse(rule.expr)):
            assert "cluster" in _grouping(aggregation), (getattr(rule, "record", None) or rule.alert, rule.expr)
            checked += 1
        # `vector(c)` has no labels: with dimensions it only answers when nothing is left at all
        assert "or vector(" not in rule.expr.replace("\n", " "), rule.expr
    assert checked > 50


def test_slo_metadata_joins_each_dimension_value_with_the_one_budget(journey):
    meta = {r.record: r.expr for g in rule_groups(journey) for r in g.rules if isinstance(r, RecordingRule)}
    assert "/ on (journey, slo) group_left\nslo:error_budget:ratio" in meta["slo:current_burn_rate:ratio"]
    assert meta["slo:objective:ratio"].startswith("vector(")  # one series per SLO, whatever the dimensions


def test_summaries_and_dashboard_links_name_the_dimension_value_but_absent_alerts_do_not(journey):
    alerts = {a.alert: a for a in all_alerts(journey)}
    for alert in alerts.values():
        summary = dict(alert.annotations)["summary"]
        if alert.kind == "absent":
            assert "$labels" not in summary
        else:
            assert summary.endswith(" [cluster {{ $labels.cluster }}]"), (alert.alert, summary)
            assert "var-cluster={{ $labels.cluster }}" in dict(alert.annotations)["dashboard_url"]


def test_business_series_group_by_their_labels_and_the_dimensions(journey):
    records = {r.record: r.expr for g in rule_groups(journey) for r in g.rules if isinstance(r, RecordingRule)}
    assert records["journey_payment_method:orders:rate5m"] == \
        "sum by (payment_method, cluster)(rate(orders_total[5m]))"


@pytest.mark.parametrize("by, message", [
    ("[journey]", "'journey' cannot be a dimension"),
    ("[le]", "'le' cannot be a dimension"),
    ("[cluster, cluster]", "dimension 'cluster' is listed twice"),
    ("['bad-name']", "is not a Prometheus label name"),
    ("[job]", "dimension 'job' is matched by a selector of this spec"),
])
def test_dimensions_are_label_names_obsgen_does_not_set(by, message):
    with pytest.raises(SpecError) as caught:
        parse_journey(SPEC.replace("by: [cluster]", f"by: {by}"), "shop.yaml")
    shown = [str(d) for d in caught.value.diagnostics]
    assert any(text.startswith("shop.yaml:5:") and message in text for text in shown), shown


# -- promtool, two clusters ---------------------------------------------------------------------------

def _series(name: str, labels: dict[str, str], values: str) -> dict:
    inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return {"series": f"{name}{{{inner}}}", "values": values}


def _two_clusters() -> list[dict]:
    """Cluster a: checkout fails half the time and its database is down. Cluster b: no failure at all (so no
    5xx series exists there) and its database is up."""
    out = []
    for cluster in ("a", "b"):
        for handler in ("/products", "/checkout"):
            base = {"cluster": cluster, "job": "api", "handler": handler}
            out.append(_series("http_requests_total", {**base, "code": "200"}, "0+100x60"))
            for le, rate in (("0.5", "100"), ("1", "100"), ("+Inf", "100")):
                out.append(_series("http_request_duration_seconds_bucket", {**base, "le": le}, f"0+{rate}x60"))
            out.append(_series("http_request_duration_seconds_count", base, "0+100x60"))
        out.append(_series("pg_up", {"cluster": cluster}, "0x60" if cluster == "a" else "1x60"))
        out.append(_series("pg_stat_activity_count", {"cluster": cluster}, "10x60"))
        out.append(_series("pg_settings_max_connections", {"cluster": cluster}, "100x60"))
    out.append(_series("http_requests_total", {"cluster": "a", "job": "api", "handler": "/checkout", "code": "500"},
                       "0+100x60"))
    return out


def _in_cluster_a(journey, name: str) -> list[dict]:
    """Every rule of this name (a burn rate's page and ticket) firing for cluster a, and nothing for b."""
    return [{"exp_labels": {**dict(rule.labels), "cluster": "a"}} for rule in all_alerts(journey) if rule.alert == name]


@pytest.mark.integration
def test_promtool_fires_for_the_cluster_in_trouble_only(journey, tmp_path):
    rule_files = []
    for artifact in emit_rules(journey):
        document = yaml.safe_load(artifact.content)
        for group in document["groups"]:
            for rule in group["rules"]:
                rule.pop("annotations", None)  # templates are checked above; here: expressions and labels
        path = tmp_path / artifact.path.split("/")[-1]
        path.write_text(yaml.safe_dump(document))
        rule_files.append(path.name)
    sel = '{journey="shop",slo="shop-availability"}'
    test = {
        "rule_files": rule_files,
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": _two_clusters(),
            "promql_expr_test": [
                # b has no 5xx series at all: its errors count as 0 per cluster, not as missing
                {"expr": 'journey_stage:errors:rate5m{stage="checkout"}', "eval_time": "30m", "exp_samples": [
                    {"labels": 'journey_stage:errors:rate5m{cluster="a",journey="shop",stage="checkout"}',
                     "value": 100 / 60},
                    {"labels": 'journey_stage:errors:rate5m{cluster="b",journey="shop",stage="checkout"}', "value": 0}]},
                # (0 + 100/60) / (100/60 + 200/60) in a, 0 in b
                {"expr": f"slo:sli_error:ratio_rate5m{sel}", "eval_time": "30m", "exp_samples": [
                    {"labels": f'slo:sli_error:ratio_rate5m{{cluster="a",journey="shop",slo="shop-availability"}}',
                     "value": (100 / 60) / (300 / 60)},
                    {"labels": f'slo:sli_error:ratio_rate5m{{cluster="b",journey="shop",slo="shop-availability"}}',
                     "value": 0}]},
                {"expr": f"slo:current_burn_rate:ratio{sel}", "eval_time": "30m", "exp_samples": [
                    {"labels": f'slo:current_burn_rate:ratio{{cluster="a",journey="shop",slo="shop-availability"}}',
                     "value": (100 / 60) / (300 / 60) / 0.01},
                    {"labels": f'slo:current_burn_rate:ratio{{cluster="b",journey="shop",slo="shop-availability"}}',
                     "value": 0}]},
            ],
            "alert_rule_test": [
                {"eval_time": "30m", "alertname": _name(journey, "error-rate"),
                 "exp_alerts": _in_cluster_a(journey, _name(journey, "error-rate"))},
                {"eval_time": "30m", "alertname": "ShopShopAvailabilityErrorBudgetBurn",
                 "exp_alerts": _in_cluster_a(journey, "ShopShopAvailabilityErrorBudgetBurn")},
                {"eval_time": "30m", "alertname": "ShopDatabaseDown",
                 "exp_alerts": _in_cluster_a(journey, "ShopDatabaseDown")},
                {"eval_time": "30m", "alertname": _name(journey, "saturation"), "exp_alerts": []},
            ],
        }],
    }
    path = tmp_path / "two-clusters.tests.yaml"
    path.write_text(yaml.safe_dump(test, sort_keys=False))
    result = promtool.test_rules([path])
    assert result.failures == (), "\n".join(str(f) for f in result.failures)


def _name(journey, kind: str) -> str:
    return next(a.alert for a in all_alerts(journey) if a.kind == kind)
