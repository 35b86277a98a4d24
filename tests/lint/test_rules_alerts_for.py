from tests.lint.helpers import places, run_check

CHECK = "alerts/for"


def test_alert_with_for_passes():
    assert run_check(CHECK, "rules/alerts_for/good.yaml", "rules/clean.yaml") == []


def test_missing_and_zero_for_are_reported_at_the_rule_and_the_value():
    findings = run_check(CHECK, "rules/alerts_for/bad.yaml")
    assert places(findings) == [("rules/alerts_for/bad.yaml", 4, 12), ("rules/alerts_for/bad.yaml", 8, 10)]
    assert "'NoFor' has no 'for:'" in findings[0].message
    assert "'for: 0s'" in findings[1].message


def test_burn_rate_pairs_need_no_for_but_a_single_window_does():
    findings = run_check(CHECK, "rules/alerts_for/burn_rate.yaml")
    assert places(findings) == [("rules/alerts_for/burn_rate.yaml", 24, 12)]
    assert "'SingleWindow' has no 'for:'" in findings[0].message
