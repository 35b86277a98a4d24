"""Raw-PromQL SLIs, time-slice SLOs, failures alerts and custom alerts: what resolves, and the
positioned errors for what cannot be built."""

from __future__ import annotations

import pytest

from obsgen.build.load import parse_journey
from tests.spec_text import SHOP, problems

HEAD = SHOP


def raw_slo(error_query: str, total_query: str = "sum(rate(foo_total[{{.window}}]))") -> str:
    return HEAD + f"""\
  slos:
    - name: raw
      sli:
        errorQuery: '{error_query}'
        totalQuery: '{total_query}'
      objective: 99
"""


def test_raw_sli_resolves_to_query_slo():
    journey = parse_journey(raw_slo("sum(rate(foo_errors_total[{{.window}}]))"), "shop.yaml")
    slo = journey.slos[0]
    assert slo.type == "query"
    assert slo.query.bad == "sum(rate(foo_errors_total[{{.window}}]))"
    assert slo.query.good is None


@pytest.mark.parametrize("query, message", [
    ("sum(rate(foo_errors_total[{{.window}}])", "does not parse as PromQL"),
    ("foo_errors_total[{{.window}}]", "is a matrix expression; a rule needs an instant vector"),
    ("scalar(sum(rate(foo_errors_total[{{.window}}])))", "is a scalar expression"),
    ("sum(rate(foo_errors_total[{{ .window }}]))", "the only template in a query is {{.window}}"),
    ('sum(rate(foo_errors_total{a="{{.job}}"}[{{.window}}]))', "the only template in a query is {{.window}}"),
])
def test_bad_raw_query_is_positioned(query, message):
    found = problems(raw_slo(query))
    assert len(found) == 1
    assert found[0].startswith("shop.yaml:16:21: errorQuery: ")
    assert message in found[0]


def test_raw_sli_needs_exactly_one_of_error_and_good_query():
    text = raw_slo("sum(rate(foo_errors_total[{{.window}}]))").replace(
        "        totalQuery", "        goodQuery: 'sum(rate(ok_total[{{.window}}]))'\n        totalQuery")
    assert problems(text) == ["shop.yaml:16:9: raw sli needs exactly one of errorQuery and goodQuery, with totalQuery"]


def test_slo_needs_a_type_or_a_raw_sli():
    found = problems(HEAD + "  slos:\n    - {name: none, stages: [checkout], objective: 99}\n")
    assert found == ["shop.yaml:14:14: SLO 'none' needs a type, or sli with raw queries"]


def test_type_and_raw_sli_exclude_each_other():
    text = raw_slo("sum(rate(foo_errors_total[{{.window}}]))").replace("      sli:", "      type: availability\n      sli:")
    found = problems(text)
    assert found == ["shop.yaml:17:9: SLO 'raw' has a type (availability) and raw sli queries; give one"]


def test_freshness_and_lag_resolve_to_timeslice_slos():
    journey = parse_journey(HEAD + """\
  slos:
    - name: fresh
      type: freshness
      freshness: {metric: last_success_timestamp_seconds, match: {job: etl}, maxAge: 26h}
      objective: 99
    - name: lag
      type: lag
      lag: {metric: kafka_consumergroup_lag, match: {consumergroup: c}, threshold: 1000, aggregation: max}
      objective: 99
""", "shop.yaml")
    fresh, lag = journey.slos
    assert (fresh.timeslice.kind, fresh.timeslice.threshold, fresh.timeslice.aggregation) == ("freshness", 93600.0, "max")
    assert fresh.timeslice.selector.promql() == 'last_success_timestamp_seconds{job="etl"}'
    assert (lag.timeslice.kind, lag.timeslice.threshold, lag.timeslice.aggregation) == ("lag", 1000.0, "max")


def test_timeslice_type_needs_its_block_and_no_other():
    found = problems(HEAD + """\
  slos:
    - name: fresh
      type: freshness
      lag: {metric: kafka_consumergroup_lag, threshold: 10}
      objective: 99
""")
    assert found == ["shop.yaml:15:13: a freshness SLO needs a freshness block (metric, match and its threshold)",
                     "shop.yaml:16:12: a lag block belongs to an SLO of type lag"]


CUSTOM = HEAD + """\
  dependencies:
    - {name: db, kind: postgresql, health: {profile: postgresql}, stages: [checkout]}
  alerts:
    - name: {name}
      expr: '{expr}'
      summary: Something is off
      description: Read the runbook.
      stage: checkout
      dependency: {dep}
      labels: {labels}
"""


def custom(name="ShopQueueStuck", expr="max(queue_depth) > 10", dep="db", labels="{}") -> str:
    return CUSTOM.replace("{name}", name).replace("{expr}", expr).replace("{dep}", dep).replace("{labels}", labels)


def test_custom_alert_resolves():
    journey = parse_journey(custom(labels="{component: queue}"), "shop.yaml")
    alert = journey.custom_alerts[0]
    assert (alert.name, alert.expr, alert.stage, alert.dependency) == ("ShopQueueStuck", "max(queue_depth) > 10", "checkout", "db")
    assert alert.labels == (("component", "queue"),)


def test_custom_alert_expr_must_parse_and_be_a_vector():
    assert problems(custom(expr="max(queue_depth > 10")) == [
        "shop.yaml:17:13: alert 'ShopQueueStuck': expr does not parse as PromQL: unclosed left parenthesis"]
    assert problems(custom(expr="queue_depth[5m]")) == [
        "shop.yaml:17:13: alert 'ShopQueueStuck': expr is a matrix expression; a rule needs an instant vector"]


def test_custom_alert_may_not_take_a_generated_name():
    assert problems(custom(name="ShopDbDown")) == [
        "shop.yaml:16:13: alert name 'ShopDbDown' is already used by a generated alert; choose another"]


def test_custom_alert_references_and_reserved_labels():
    found = problems(custom(dep="cache", labels="{severity: page}"))
    assert found == ["shop.yaml:21:19: unknown dependency 'cache'; dependencies are: db",
                     "shop.yaml:22:15: labels severity are set by obsgen; use the alert's fields"]


def test_custom_alert_text_cannot_reach_go_templates():
    found = problems(custom().replace("Something is off", "'{{ $value }} is off'"))
    assert len(found) == 1 and found[0].startswith("shop.yaml:18:16: ")


def test_failures_alert_defaults_to_the_stage_errors():
    journey = parse_journey(HEAD + "      alerts:\n        failures: {threshold: 2, window: 1d}\n", "shop.yaml")
    stage = journey.stage("checkout")
    assert stage.failures_alert.failures == stage.errors
    assert (stage.failures_alert.name, stage.failures_alert.threshold, stage.failures_alert.window) == (
        "ShopCheckoutFailures", 2, 86400.0)


def test_time_slice_windows_must_not_page_on_one_bad_minute():
    slo = """\
  slos:
    - name: fresh
      type: freshness
      freshness: {metric: last_success_timestamp_seconds, maxAge: 26h}
      objective: 99.9
"""
    assert problems(HEAD + slo) == [
        "shop.yaml:17:18: one bad minute is 1.667% of the 1h window, above the page threshold of 14.4x the 0.1% "
        "budget: a single bad minute would page. Lengthen the page windows (alerting.burnRates) or lower the objective"]
    daily = slo + "      alerting:\n        burnRates: [{severity: page, factor: 6, long: 1d, short: 6h}]\n"
    assert parse_journey(HEAD + daily, "shop.yaml").slos[0].burn_rates[0].long == 86400.0


def test_custom_alert_test_series_name_one_series():
    text = custom() + """\
      test:
        inputSeries:
          - {series: 'queue_depth{queue=~"a.*"}', values: '1+1x10'}
        firesAt: 5m
"""
    assert problems(text) == ["shop.yaml:25:22: input series may only use = matchers: it names one series"]
    bad_values = text.replace("1+1x10", "1+x10")
    assert problems(bad_values) == [
        "shop.yaml:25:59: spec.alerts[0].test.inputSeries[0].values: '1+x10' is not values in promtool's notation, "
        "e.g. '1 2 3', '0+10x100', '_x5' or 'stale'"]
