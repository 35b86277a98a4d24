from datetime import timedelta

from tests.lint.helpers import places, run_check

CHECK = "promql/range"


def test_ranges_of_four_scrapes_pass():
    assert run_check(CHECK, "rules/promql_range/good.yaml", "rules/clean.yaml") == []


def test_short_selector_and_subquery_ranges_are_reported_at_the_bracket():
    findings = run_check(CHECK, "rules/promql_range/bad.yaml")
    # [45] inside the regex string is not a range: the column is the real [30s].
    assert places(findings) == [("rules/promql_range/bad.yaml", 5, 65), ("rules/promql_range/bad.yaml", 9, 38)]
    assert findings[0].message.startswith("selector range [30s] is shorter than 4x the scrape interval (15s)")
    assert findings[1].message.startswith("subquery range [45s]")


def test_scrape_interval_option_moves_the_threshold():
    assert run_check(CHECK, "rules/promql_range/bad.yaml", scrape_interval=timedelta(seconds=5)) == []
    findings = run_check(CHECK, "rules/clean.yaml", scrape_interval=timedelta(minutes=2))
    assert {f.message.split(" is ")[0] for f in findings} == {"selector range [5m]"}
