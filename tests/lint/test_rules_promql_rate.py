from obsgen.lint import ALL_CHECKS, NOTE, WARNING, lint_paths
from obsgen.lint.metric_types import COUNTER, GAUGE, NOTHING_KNOWN, MetricTypes
from obsgen.lint.rules.promql_rate import not_a_counter
from tests.lint.helpers import places, run_check

CHECK = "promql/rate"
# postgres_exporter's commit counter has no _total; kafka_exporter's lag "sum" is a gauge.
POSTGRES_AND_KAFKA = MetricTypes({"pg_stat_database_xact_commit": COUNTER, "kafka_consumergroup_lag_sum": GAUGE},
                                 "Prometheus at http://prometheus:9090")


def test_rates_over_counters_histograms_and_counter_recordings_pass():
    assert run_check(CHECK, "rules/promql_rate/good.yaml", "rules/clean.yaml") == []


def test_rates_over_undeclared_gauges_are_notes_and_over_rates_warnings():
    findings = run_check(CHECK, "rules/promql_rate/bad.yaml")
    assert places(findings) == [
        ("rules/promql_rate/bad.yaml", 5, 30),  # rate(rabbitmq_queue_messages…)
        ("rules/promql_rate/bad.yaml", 9, 15),  # inside a | block: line and column of the metric
        ("rules/promql_rate/bad.yaml", 12, 11),  # {__name__="…"}: not findable in text, start of expr
        ("rules/promql_rate/bad.yaml", 12, 20),
        ("rules/promql_rate/bad.yaml", 14, 16),
    ]
    assert [f.severity for f in findings] == [NOTE, NOTE, NOTE, NOTE, WARNING]
    assert "'rabbitmq_queue_messages', which may not be a counter: its type is unknown" in findings[0].message
    assert "reads like a rate/ratio ('rate5m')" in findings[1].message
    assert "(rate of a rate)" in findings[4].message


def test_declared_types_decide_not_the_suffix():
    findings = run_check(CHECK, "rules/promql_rate/counters_without_total.yaml", metric_types=POSTGRES_AND_KAFKA)
    assert places(findings) == [("rules/promql_rate/counters_without_total.yaml", 7, 40)]
    assert findings[0].severity == WARNING
    assert findings[0].message == ("rate() over 'kafka_consumergroup_lag_sum', "
                                   "which Prometheus at http://prometheus:9090 declares a gauge")
    unknown = run_check(CHECK, "rules/promql_rate/counters_without_total.yaml")
    assert [(f.line, f.severity) for f in unknown] == [(5, NOTE)]  # the _sum one looks like a counter: silent


def test_verdicts():
    assert not_a_counter("http_requests_total", {}, NOTHING_KNOWN) is None
    assert not_a_counter("http_request_duration_seconds", {}, NOTHING_KNOWN)[0] == NOTE
    assert not_a_counter("pg_stat_database_xact_commit", {}, POSTGRES_AND_KAFKA) is None
    assert not_a_counter("job:requests:sum", {}, NOTHING_KNOWN) is None  # unknown recorded series: not judged
    rate_of_rate = not_a_counter("job:requests:sum", {"job:requests:sum": ["sum(rate(x_total[5m]))"]}, NOTHING_KNOWN)
    assert rate_of_rate[0] == WARNING


def test_expressions_with_re2_only_regexes_are_still_analysed(tmp_path):
    # promql-parser (Rust regex) refuses \Q...\E, which Prometheus accepts: the rate is judged anyway.
    rules = tmp_path / "rules.yaml"
    rules.write_text('groups:\n- name: g\n  rules:\n  - record: a:b:rate5m\n'
                     '    expr: rate(kafka_consumergroup_lag_sum{topic=~"\\\\Qfights.v1\\\\E"}[5m])\n')
    others = [c.id for c in ALL_CHECKS if c.id != CHECK]
    report = lint_paths([str(rules)], disabled=others, metric_types=POSTGRES_AND_KAFKA)
    assert [(f.line, f.col, f.severity) for f in report.findings] == [(5, 16, WARNING)]
