from tests.lint.helpers import places, run_check

CHECK = "alerts/labels"


def test_known_and_templated_severities_pass():
    assert run_check(CHECK, "rules/alerts_labels/good.yaml", "rules/clean.yaml") == []


def test_missing_severity_and_unknown_value():
    findings = run_check(CHECK, "rules/alerts_labels/bad.yaml")
    assert places(findings) == [
        ("rules/alerts_labels/bad.yaml", 4, 12),  # no labels at all: the rule
        ("rules/alerts_labels/bad.yaml", 9, 7),  # labels without severity: the labels map
        ("rules/alerts_labels/bad.yaml", 14, 17),  # the bad value itself
    ]
    assert "severity 'urgent', expected one of page|ticket|critical|warning|info|none" in findings[2].message
