import pytest

from obsgen.lint import NOTE, WARNING, lint_paths
from obsgen.lint.metric_types import COUNTER, GAUGE, HISTOGRAM, MetricTypes
from tests.lint.helpers import fixture, run_check

CHECK = "dashboard/counter-rate"
DECLARED = MetricTypes(
    {
        "http_requests_total": COUNTER,
        "http_request_duration_seconds": HISTOGRAM,
        "kafka_consumergroup_lag_sum": GAUGE,
        "pg_stat_activity_count": GAUGE,
        "agroal_awaiting_count": GAUGE,
    },
    "the spec",
)


def test_counters_through_rate_and_existence_functions_pass():
    assert run_check(CHECK, "dashboards/counter_rate/good.json", "dashboards/clean.json", metric_types=DECLARED) == []
    assert run_check(CHECK, "dashboards/counter_rate/good.json", "dashboards/clean.json") == []


def test_declared_counter_and_histogram_bucket_shown_bare_are_warnings():
    findings = run_check(CHECK, "dashboards/counter_rate/bad.json", metric_types=DECLARED)
    assert [(f.json_path, f.line, f.severity) for f in findings] == [
        ("panels[0].targets[0].expr", 7, WARNING),
        ("panels[0].targets[1].expr", 8, WARNING),
    ]
    assert findings[1].message == ("counter 'http_request_duration_seconds_bucket' is used without rate()/increase() "
                                   "(the spec declares it a counter)")


def test_declared_gauges_named_like_counters_pass():
    assert run_check(CHECK, "dashboards/counter_rate/gauges.json", metric_types=DECLARED) == []


@pytest.mark.integration
def test_undeclared_names_that_look_like_counters_are_notes_that_fail_nothing():
    findings = run_check(CHECK, "dashboards/counter_rate/bad.json", "dashboards/counter_rate/gauges.json")
    assert {f.severity for f in findings} == {NOTE}
    assert len(findings) == 5
    assert "its type is unknown (give --prometheus URL" in findings[0].message
    others = [c for c in ("dashboard/datasource", "dashboard/unit", "dashboard/panel-description")]
    report = lint_paths([fixture("dashboards/counter_rate/gauges.json")], disabled=others)
    assert report.findings and report.failing == () and report.exit_code == 0
