from tests.lint.helpers import places, run_check

CHECK = "dashboard/panel-description"


def test_described_panels_pass_and_rows_and_text_are_exempt():
    assert run_check(CHECK, "dashboards/clean.json") == []


def test_missing_and_blank_descriptions():
    findings = run_check(CHECK, "dashboards/panel_description/bad.json")
    assert places(findings) == [
        ("dashboards/panel_description/bad.json", 7, 5),
        ("dashboards/panel_description/bad.json", 8, 5),
    ]
    assert [f.message for f in findings] == ["panel 'Missing' has no description", "panel 'Blank' has no description"]
