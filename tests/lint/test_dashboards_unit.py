from tests.lint.helpers import places, run_check

CHECK = "dashboard/unit"


def test_units_including_none_and_legacy_graph_axes_pass():
    assert run_check(CHECK, "dashboards/unit/good.json", "dashboards/clean.json") == []


def test_panels_without_unit():
    findings = run_check(CHECK, "dashboards/unit/bad.json")
    assert places(findings) == [("dashboards/unit/bad.json", line, 5) for line in (5, 6, 8)]
    assert [f.json_path for f in findings] == ["panels[0]", "panels[1]", "panels[2]"]  # tables not checked
