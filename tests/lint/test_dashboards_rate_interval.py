from tests.lint.helpers import run_check

CHECK = "dashboard/rate-interval"


def test_rate_interval_windows_pass():
    assert run_check(CHECK, "dashboards/clean.json") == []


def test_fixed_and_interval_windows():
    findings = run_check(CHECK, "dashboards/rate_interval/bad.json")
    assert [(f.json_path, f.line, f.col) for f in findings] == [
        ("panels[0].targets[0].expr", 7, 31),
        ("panels[0].targets[1].expr", 8, 31),
    ]
    assert findings[0].message == "rate window [5m] is fixed; use [$__rate_interval]"
    assert findings[1].message == "rate window [$__interval] is fixed; use [$__rate_interval]"
