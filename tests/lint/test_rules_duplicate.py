from tests.lint.helpers import places, run_check

CHECK = "rules/duplicate"


def test_same_name_with_different_labels_or_alert_exprs_passes():
    assert run_check(CHECK, "rules/rules_duplicate/good.yaml", "rules/clean.yaml") == []


def test_duplicates_across_groups():
    findings = run_check(CHECK, "rules/rules_duplicate/bad.yaml")
    assert places(findings) == [("rules/rules_duplicate/bad.yaml", 14, 13), ("rules/rules_duplicate/bad.yaml", 18, 12)]
    assert "duplicates the one at line 4" in findings[0].message
    assert findings[1].message.startswith("alert rule 'ErrorBudgetBurn'")  # same expr modulo whitespace


def test_duplicates_across_files_name_the_first_file():
    findings = run_check(CHECK, "rules/rules_duplicate/good.yaml", "rules/rules_duplicate/other_file.yaml")
    assert [p[0] for p in places(findings)] == ["rules/rules_duplicate/other_file.yaml"] * 4
    assert "rules_duplicate/good.yaml:4" in findings[0].message
