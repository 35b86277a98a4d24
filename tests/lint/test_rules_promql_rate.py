from obsgen.lint.rules.promql_rate import not_a_counter
from tests.lint.helpers import places, run_check

CHECK = "promql/rate"


def test_rates_over_counters_histograms_and_counter_recordings_pass():
    assert run_check(CHECK, "rules/promql_rate/good.yaml", "rules/clean.yaml") == []


def test_rates_over_gauges_and_over_rates_are_reported_at_the_metric():
    findings = run_check(CHECK, "rules/promql_rate/bad.yaml")
    assert places(findings) == [
        ("rules/promql_rate/bad.yaml", 5, 30),  # rate(rabbitmq_queue_messages…)
        ("rules/promql_rate/bad.yaml", 9, 15),  # inside a | block: line and column of the metric
        ("rules/promql_rate/bad.yaml", 12, 11),  # {__name__="…"}: not findable in text, start of expr
        ("rules/promql_rate/bad.yaml", 12, 20),
        ("rules/promql_rate/bad.yaml", 14, 16),
    ]
    assert "'rabbitmq_queue_messages', which does not look like a counter" in findings[0].message
    assert "already a rate/ratio ('rate5m')" in findings[1].message
    assert "(rate of a rate)" in findings[4].message


def test_heuristic():
    assert not_a_counter("http_requests_total", {}) is None
    assert not_a_counter("http_request_duration_seconds", {}) is not None
    assert not_a_counter("job:requests:sum", {}) is None  # unknown recorded series: not judged
    assert not_a_counter("job:requests:sum", {"job:requests:sum": ["sum(rate(x_total[5m]))"]}) is not None
