from tests.lint.helpers import run_check

CHECK = "dashboard/counter-rate"


def test_counters_through_rate_and_existence_functions_pass():
    assert run_check(CHECK, "dashboards/counter_rate/good.json", "dashboards/clean.json") == []


def test_bare_counter_and_bare_histogram_bucket():
    findings = run_check(CHECK, "dashboards/counter_rate/bad.json")
    assert [(f.json_path, f.line) for f in findings] == [
        ("panels[0].targets[0].expr", 7),
        ("panels[0].targets[1].expr", 8),
    ]
    assert findings[1].message == "counter 'http_request_duration_seconds_bucket' is used without rate()/increase()"
