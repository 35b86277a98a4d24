"""The pure parts of verify's checks: matching series, explaining a miss, catalog, rules, panels, report."""

from __future__ import annotations

import json

import pytest

from obsgen.promql import Matcher, Selector
from obsgen.verify.alertmanager import config_problems
from obsgen.verify.artifacts import RuleSpec, build
from obsgen.verify.catalog import find, is_failure_only, model_selectors
from obsgen.verify.dashboard import FailureModel, series_with_values
from obsgen.verify.metrics import did_you_mean, explain_no_match, matches
from obsgen.verify.panels import targets
from obsgen.verify.report import PanelCheck, SelectorCheck, VerifyReport, render_json, render_table
from obsgen.verify.rules import _group_check, evaluated_at, never_evaluated
from tests.conftest import PURCHASE_SPEC

SERIES = [
    {"__name__": "http_requests_total", "job": "api", "handler": "/checkout", "method": "POST", "code": "202"},
    {"__name__": "http_requests_total", "job": "api", "handler": "/products", "method": "GET", "code": "200"},
]


@pytest.fixture(scope="module")
def built():
    return build(PURCHASE_SPEC)


def test_matchers_follow_prometheus_semantics():
    labels = SERIES[0]
    assert matches(Matcher("code", "=~", "2.."), labels)
    assert not matches(Matcher("code", "=~", "2"), labels)  # anchored, like Prometheus
    assert matches(Matcher("missing", "=", ""), labels)  # an absent label is the empty value
    assert matches(Matcher("handler", "!~", "/prod.*"), labels)


def test_a_miss_names_the_failing_matcher_its_values_and_a_suggestion():
    selector = Selector("http_requests_total", (Matcher("job", "=", "api"), Matcher("handler", "=", "/checkouts")))
    text = explain_no_match(selector, SERIES)
    assert text == 'handler="/checkouts" matches none of the values [/checkout, /products] (did you mean /checkout?)'


def test_a_miss_on_a_label_the_metric_lacks_suggests_label_names():
    selector = Selector("http_requests_total", (Matcher("handlr", "=", "/checkout"),))
    assert explain_no_match(selector, SERIES) == "no series of http_requests_total has label handlr (did you mean handler?)"


def test_a_miss_where_each_matcher_alone_matches():
    selector = Selector("http_requests_total", (Matcher("handler", "=", "/checkout"), Matcher("method", "=", "GET")))
    assert "no series matches all of" in explain_no_match(selector, SERIES)


def test_did_you_mean_only_offers_close_names():
    assert did_you_mean("purchase_journey_seconds_bucket", ["purchase_journey_duration_seconds_bucket", "up"]) == \
        " (did you mean purchase_journey_duration_seconds_bucket?)"
    assert did_you_mean("zzz", ["up"]) == ""


def test_catalog_knows_error_selectors_and_their_failure_matchers(purchase_journey):
    catalog = model_selectors(purchase_journey)
    checkout = purchase_journey.stage("checkout")
    entry = find(catalog, checkout.errors)
    assert entry is not None and entry.failure_only == (Matcher("code", "=~", "5.."),)
    assert entry.base == Selector(checkout.errors.metric, tuple(m for m in checkout.errors.matchers
                                                                if m.label != "code"))
    assert is_failure_only(catalog, checkout.errors)
    assert not is_failure_only(catalog, checkout.requests)
    # An SLI's bucket selector is the histogram's plus a bound.
    assert find(catalog, checkout.latency.under(0.5)).origin == "stage checkout latency histogram"


def test_recorded_series_inherit_their_rules_failure_behaviour(built, purchase_journey):
    failures = FailureModel(built, model_selectors(purchase_journey))
    by_stage = (Matcher("journey", "=", "purchase"), Matcher("stage", "=", "checkout"))
    # journey_stage:errors:rate5m is "... or vector(0)": data without failures.
    assert not failures.failure_only(Selector("journey_stage:errors:rate5m", by_stage))
    assert not failures.failure_only(Selector("journey_stage:requests:rate5m", by_stage))


def test_dashboard_targets_carry_panel_titles_and_datasources(built):
    found = targets(built.dashboards[0][1])
    assert {t.datasource for t in found} == {"prometheus", "jaeger"}
    assert any(t.panel_title == "Checkout: errors" and "journey_stage:errors" in t.expr for t in found)


def test_nan_only_series_are_not_data():
    assert series_with_values([{"values": [[1, "NaN"], [2, "NaN"]]}]) == 0
    assert series_with_values([{"values": [[1, "NaN"], [2, "0"]]}, {"value": [1, "1"]}]) == 2


def _rule(name: str, expr: str, labels=(("journey", "purchase"),)) -> RuleSpec:
    return RuleSpec("g", "prometheus/recording.rules.yaml", "recording", name, expr, labels)


def _loaded(name: str, query: str, health: str = "ok", error: str = "") -> dict:
    return {"name": name, "query": query, "labels": {"journey": "purchase"}, "health": health,
            "lastError": error, "type": "recording"}


def test_a_loaded_group_matching_the_build_is_ok():
    group = {"name": "g", "file": "/x/purchase/prometheus/recording.rules.yaml", "interval": 5,
             "evaluationTime": 0.002, "rules": [_loaded("r", 'sum(x{b="1",a="2"})')]}
    check = _group_check(group, "prometheus/recording.rules.yaml", [_rule("r", 'sum(x{a="2",b="1"})')],
                         {"avg": {"/x/purchase/prometheus/recording.rules.yaml;g": 0.003}})
    assert (check.status, check.detail, check.avg_duration_seconds, check.max_duration_seconds) == \
        ("ok", "", 0.003, None)


def test_a_loaded_group_with_another_expression_is_stale():
    group = {"name": "g", "file": "f", "rules": [_loaded("r", "sum(x)")]}
    check = _group_check(group, "f", [_rule("r", "sum(y)")], {})
    assert check.status == "stale" and "expr or for differs: r" in check.detail


def test_evaluation_errors_are_reported_with_the_rule():
    group = {"name": "g", "file": "f", "rules": [_loaded("r", "sum(x)", health="err", error="many-to-many")]}
    check = _group_check(group, "f", [_rule("r", "sum(x)")], {})
    assert check.status == "error" and "r: health err: many-to-many" in check.detail



def _loaded_groups(built, health: dict[str, str]) -> list[dict]:
    """Prometheus' /api/v1/rules answer for the build's groups, each rule with the health given by group."""
    return [{"name": name, "file": f"/x/purchase/{file}", "interval": 150 if name.endswith("period") else 30,
             "rules": [_loaded(r.name, r.expr, health=health.get(name, "ok")) for r in built.rules if r.group == name]}
            for file, name in built.groups]


def test_groups_loaded_but_not_evaluated_yet_are_awaited_with_their_interval(built):
    names = [name for _, name in built.groups]
    waiting = {names[0]: "unknown", names[-1]: "unknown"}
    assert never_evaluated(_loaded_groups(built, waiting), built) == {
        names[0]: 150.0 if names[0].endswith("period") else 30.0,
        names[-1]: 150.0 if names[-1].endswith("period") else 30.0}
    assert never_evaluated(_loaded_groups(built, {}), built) == {}
    # A group with an evaluation error has been evaluated: it is reported, not awaited.
    assert never_evaluated(_loaded_groups(built, {names[0]: "err"}), built) == {}


def test_a_group_s_last_evaluation_is_read_to_the_microsecond_and_never_is_none():
    assert evaluated_at({"lastEvaluation": "2026-12-01T00:40:59.123456789Z"}) == 1796085659.123456
    assert evaluated_at({"lastEvaluation": "2026-12-01T00:40:59Z"}) == 1796085659.0
    assert evaluated_at({"lastEvaluation": "0001-01-01T00:00:00Z"}) is None  # Go's zero time: not yet
    assert evaluated_at({}) is None

def test_alertmanager_config_is_compared_as_sets_of_matchers():
    generated = {"receivers": [{"name": "p"}], "inhibit_rules": [
        {"source_matchers": ['alertname="A"', 'journey="j"'], "target_matchers": ['journey="j"', 'alertname=~"B"'],
         "equal": ["journey"]}]}
    loaded = {"receivers": [{"name": "p"}], "inhibit_rules": [
        {"source_matchers": ['journey="j"', 'alertname="A"'], "target_matchers": ['alertname=~"B"', 'journey="j"'],
         "equal": ["journey"]}]}
    assert config_problems(generated, loaded) == []
    assert config_problems(generated, {"receivers": []}) == [
        "receiver p is not in the running config",
        'inhibit rule for alertname="A", journey="j" is missing or differs in the running config',
    ]


def test_report_fails_on_problems_and_lists_conditional_apart():
    report = VerifyReport("purchase", "http://p", 600)
    report.selectors = [SelectorCheck('x{code=~"5.."}', "stage a errors", "conditional", "no failures yet", ("rule r",))]
    report.panels = [PanelCheck("Errors", "A", "x", False, "conditional", "no data", 0, 0.01, 0.001, 0)]
    assert report.ok
    report.panels.append(PanelCheck("Traffic", "A", "y", False, "empty", "no data", 0, 0.01, 0.001, 0))
    assert not report.ok
    assert report.problems() == ["panel Traffic [A]: empty: no data"]
    assert "FAILED: 1 problem(s)" in render_table(report)
    data = json.loads(render_json(report))
    assert data["ok"] is False and data["totals"]["dashboard_queries"] == 2
