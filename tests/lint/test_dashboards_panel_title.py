from tests.lint.helpers import places, run_check

CHECK = "dashboard/panel-title"


def test_titled_dashboard_passes():
    assert run_check(CHECK, "dashboards/clean.json") == []


def test_untitled_dashboard_row_and_blank_title():
    findings = run_check(CHECK, "dashboards/panel_title/bad.json")
    assert places(findings) == [
        ("dashboards/panel_title/bad.json", 2, 12),
        ("dashboards/panel_title/bad.json", 5, 5),
        ("dashboards/panel_title/bad.json", 6, 5),
    ]
    assert [f.json_path for f in findings] == ["title", "panels[0]", "panels[1]"]
