from tests.lint.helpers import places, run_check

CHECK = "dashboard/panel-id"


def test_unique_ids_pass():
    assert run_check(CHECK, "dashboards/clean.json", "dashboards/unit/good.json") == []


def test_duplicate_across_a_collapsed_row_and_missing_id():
    findings = run_check(CHECK, "dashboards/panel_id/bad.json")
    assert places(findings) == [("dashboards/panel_id/bad.json", 9, 12), ("dashboards/panel_id/bad.json", 10, 5)]
    assert [f.json_path for f in findings] == ["panels[1].id", "panels[2]"]
    assert findings[0].message == "panel id 3 is also used by panels[0].panels[1]"
