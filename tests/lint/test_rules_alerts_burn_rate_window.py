from obsgen.lint.burn_rate import burn_rate_pairs
from tests.lint.helpers import places, run_check

CHECK = "alerts/burn-rate-window"


def test_pairs_that_fit_the_slo_window_pass():
    assert run_check(CHECK, "rules/alerts_burn_rate_window/good.yaml", "rules/clean.yaml") == []


def test_pairs_that_cannot_fire_within_the_slo_window_are_reported_at_their_long_window():
    findings = run_check(CHECK, "rules/alerts_burn_rate_window/bad.yaml")
    path = "rules/alerts_burn_rate_window/bad.yaml"
    assert places(findings) == [(path, 14, 85), (path, 18, 87), (path, 22, 87)]
    assert "'NeverFires': the 1h/5m pair needs an error ratio above 1.44 (100% or more): it can never fire" in findings[0].message
    assert "'LongerThanTheSlo': the 14d/1d pair's long window is longer than the SLO window 7d" in findings[1].message
    assert "'AfterTheBudget': the 3d/6h pair at 3x fires only after 129% of the 7d error budget is spent" in findings[2].message


def test_the_low_traffic_guard_is_not_taken_for_a_window():
    expr = ('(slo:sli_error:ratio_rate5m{slo="a"} > (14.4 * 0.001) and slo:sli_error:ratio_rate1h{slo="a"} > '
            '(14.4 * 0.001) and on () (sum(increase(http_requests_total[5m]))) >= 70)')
    (pair,) = burn_rate_pairs(expr)
    assert (pair.short.total_seconds(), pair.long.total_seconds(), round(pair.threshold, 6)) == (300, 3600, 0.0144)


def test_a_calendar_month_is_measured_against_february():
    """30 days' budget in 3d fits a rolling 30d window, not a calendar month's shortest period (28 days)."""
    findings = run_check(CHECK, "rules/alerts_burn_rate_window/calendar.yaml")
    assert places(findings) == [("rules/alerts_burn_rate_window/calendar.yaml", 17, 87)]
    assert "'AfterFebruarysBudget': the 3d/6h pair at 10x fires only after 107% of the 28d error budget" in findings[0].message
