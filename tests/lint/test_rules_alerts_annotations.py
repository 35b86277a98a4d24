from tests.lint.helpers import places, run_check

CHECK = "alerts/annotations"


def test_complete_annotations_pass():
    assert run_check(CHECK, "rules/alerts_annotations/good.yaml", "rules/clean.yaml") == []


def test_each_missing_annotation_and_a_relative_runbook_url():
    findings = run_check(CHECK, "rules/alerts_annotations/bad.yaml")
    messages = [f.message for f in findings]
    assert places(findings) == [("rules/alerts_annotations/bad.yaml", 4, 12)] * 3 + [
        ("rules/alerts_annotations/bad.yaml", 9, 7),
        ("rules/alerts_annotations/bad.yaml", 11, 20),
    ]
    assert messages[:3] == [
        "alert 'NoAnnotations' has no 'description' annotation",
        "alert 'NoAnnotations' has no 'runbook_url' annotation",
        "alert 'NoAnnotations' has no 'summary' annotation",
    ]
    assert messages[3] == "alert 'Partial' has no 'description' annotation"  # empty counts as missing
    assert "is not an http(s) URL" in messages[4]
