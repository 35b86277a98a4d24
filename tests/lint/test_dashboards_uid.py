from tests.lint.helpers import places, run_check

CHECK = "dashboard/uid"


def test_uid_of_40_chars_in_an_api_export_passes():
    assert run_check(CHECK, "dashboards/clean.json", "dashboards/uid/good_api_export.json") == []


def test_missing_long_and_invalid_uids():
    bad = ("dashboards/uid/missing.json", "dashboards/uid/too_long.json", "dashboards/uid/bad_chars.json")
    findings = run_check(CHECK, *bad)
    assert places(findings) == [
        ("dashboards/uid/bad_chars.json", 3, 10),
        ("dashboards/uid/missing.json", None, None),
        ("dashboards/uid/too_long.json", 3, 10),
    ]
    assert [f.json_path for f in findings] == ["uid"] * 3
    assert "45 characters; Grafana allows 40" in findings[2].message
