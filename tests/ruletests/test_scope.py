"""Scoping a test group to the rules it reads: what it asserts, what those read (transitively), and
everything when the reading cannot be told from names."""

from __future__ import annotations

from obsgen.artifacts.ruletests.scope import Rules, eval_order, needed, scoped

RECORDING = {"groups": [
    {"name": "sli", "rules": [
        {"record": "job:errors:rate5m", "expr": 'sum(rate(http_requests_total{code=~"5.."}[5m]))'},
        {"record": "job:error_ratio:rate5m", "expr": "job:errors:rate5m / job:requests:rate5m"},
        {"record": "job:requests:rate5m", "expr": "sum(rate(http_requests_total[5m]))"},
        {"record": "job:unread:rate5m", "expr": "sum(rate(other_total[5m]))"},
    ]},
    {"name": "period", "interval": "2m30s", "rules": [
        {"record": "job:error_ratio:rate30d", "expr": "avg_over_time(job:error_ratio:rate5m[30d])"},
    ]},
]}
ALERTS = {"groups": [{"name": "alerts", "rules": [
    {"alert": "ErrorBudgetBurn", "expr": "job:error_ratio:rate5m > 0.1", "for": "2m"},
    {"alert": "ErrorBudgetBurn", "expr": "job:error_ratio:rate30d > 0.01", "labels": {"severity": "ticket"}},
    {"alert": "Backlog", "expr": "queue_depth > 100"},
    {"alert": "Explained", "expr": "up == 0",
     "annotations": {"summary": '{{ with query "job:unread:rate5m" }}{{ . | first | value }}{{ end }}'}},
]}]}
RULES = Rules((RECORDING, ALERTS))


def names(keep) -> set[str]:
    return {rule.get("record") or rule["alert"] for place, rule in RULES.places() if place in keep}


def alerting(*alertnames: str) -> dict:
    return {"alert_rule_test": [{"eval_time": "5m", "alertname": a} for a in alertnames]}


def test_an_alert_keeps_every_rule_of_its_name_and_the_recording_rules_they_read_transitively():
    keep = needed(alerting("ErrorBudgetBurn"), RULES)
    assert names(keep) == {"ErrorBudgetBurn", "job:error_ratio:rate5m", "job:errors:rate5m", "job:requests:rate5m",
                           "job:error_ratio:rate30d"}
    assert len([p for p in keep if p[0] == 1]) == 2  # both rules named ErrorBudgetBurn


def test_an_alert_reading_raw_series_only_keeps_itself():
    assert names(needed(alerting("Backlog"), RULES)) == {"Backlog"}


def test_an_expression_check_keeps_what_it_reads_and_no_alert():
    group = {"promql_expr_test": [{"expr": 'job:error_ratio:rate5m{job="api"}', "eval_time": "10m"}]}
    assert names(needed(group, RULES)) == {"job:error_ratio:rate5m", "job:errors:rate5m", "job:requests:rate5m"}


def test_a_template_that_queries_keeps_what_it_queries():
    assert names(needed(alerting("Explained"), RULES)) == {"Explained", "job:unread:rate5m"}


def test_a_name_matched_by_pattern_keeps_every_rule():
    group = {"promql_expr_test": [{"expr": '{__name__=~"job:.*"}', "eval_time": "1m"}]}
    assert needed(group, RULES) == frozenset(place for place, _ in RULES.places())


def test_reading_alerts_keeps_every_alert():
    group = {"promql_expr_test": [{"expr": 'ALERTS{alertstate="firing"}', "eval_time": "1m"}]}
    assert {"ErrorBudgetBurn", "Backlog", "Explained"} <= names(needed(group, RULES))


def test_scoped_files_keep_group_names_order_and_settings_and_drop_empty_groups():
    documents, kept_groups = scoped(RULES, needed(alerting("Backlog"), RULES))
    assert documents == [{"groups": []}, {"groups": [{"name": "alerts", "rules": [ALERTS["groups"][0]["rules"][2]]}]}]
    assert kept_groups == ["alerts"]
    documents, kept_groups = scoped(RULES, needed(alerting("ErrorBudgetBurn"), RULES))
    assert [g.get("interval") for g in documents[0]["groups"]] == [None, "2m30s"]
    assert [r["record"] for r in documents[0]["groups"][0]["rules"]] == [
        "job:errors:rate5m", "job:error_ratio:rate5m", "job:requests:rate5m"]  # the file's order
    assert eval_order(["sli", "period", "alerts"], ["alerts"]) == ["alerts"]
    assert eval_order(None, ["alerts"]) is None


# Two SLOs record the same names, told apart by their rules' own labels (as obsgen writes them).
BY_LABELS = Rules(({"groups": [{"name": "sli", "rules": [
    {"record": "slo:ratio", "expr": "sum(rate(a_total[5m]))", "labels": {"slo": "checkout"}},
    {"record": "slo:ratio", "expr": "sum(rate(b_total[5m]))", "labels": {"slo": "browse"}},
    {"record": "slo:ratio", "expr": 'sum by (slo) (rate(c_total{slo="any"}[5m]))'},
    {"record": "slo:budget", "expr": "vector(0.001)", "labels": {"slo": "checkout", "tier": ""}},
]}]}, {"groups": [{"name": "alerts", "rules": [
    {"alert": "CheckoutBurn", "expr": 'slo:ratio{slo="checkout", job!="x"} > on (slo) slo:budget{tier=""}'},
    {"alert": "AnyBurn", "expr": 'slo:ratio{slo=~"checkout"} > 0.1'},
    {"alert": "Mixed", "expr": 'slo:ratio{slo="checkout"} > 0 or slo:ratio > 1'},
    {"alert": "Tier", "expr": 'slo:budget{tier="gold"} > 0'},
    {"alert": "Unreadable", "expr": "slo:ratio{slo='checkout'} > 0"},
]}]}))


def labelled(keep) -> list[str]:
    return [f"{rule.get('record') or rule['alert']}{(rule.get('labels') or {}).get('slo', '')}"
            for place, rule in BY_LABELS.places() if place in keep]


def test_a_selector_does_not_read_a_rule_whose_own_labels_contradict_its_equality_matchers():
    # the browse rule's slo label overrides whatever its expression returns: it never matches slo="checkout";
    # the unlabelled rule may return slo="checkout"; tier="" matches a rule that drops the label
    assert labelled(needed(alerting("CheckoutBurn"), BY_LABELS)) == [
        "slo:ratiocheckout", "slo:ratio", "slo:budgetcheckout", "CheckoutBurn"]


def test_other_matchers_and_a_bare_name_read_every_rule_of_the_name():
    every_ratio = ["slo:ratiocheckout", "slo:ratiobrowse", "slo:ratio"]
    assert labelled(needed(alerting("AnyBurn"), BY_LABELS)) == every_ratio + ["AnyBurn"]
    assert labelled(needed(alerting("Mixed"), BY_LABELS)) == every_ratio + ["Mixed"]
    # a string literal JSON does not read as PromQL does (single quotes) leaves the matchers unread
    assert labelled(needed(alerting("Unreadable"), BY_LABELS)) == every_ratio + ["Unreadable"]


def test_a_label_a_rule_sets_empty_is_absent():
    assert labelled(needed(alerting("Tier"), BY_LABELS)) == ["Tier"]


def test_an_expression_check_is_read_by_labels_too():
    group = {"promql_expr_test": [{"expr": 'slo:ratio{slo="browse"}', "eval_time": "10m"}]}
    assert labelled(needed(group, BY_LABELS)) == ["slo:ratiobrowse", "slo:ratio"]
