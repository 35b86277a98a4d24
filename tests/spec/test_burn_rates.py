"""Window-aware burn rates and the low-traffic guard: what the spec resolves to, what the build refuses
(exit 2, positioned) and what it only warns about."""

from __future__ import annotations

import pytest

from obsgen.build.load import parse_journey
from obsgen.spec.burn_rates import guard_events
from tests.spec_text import SHOP, problems


def slo(objective: float = 99.9, window: str | None = None, alerting: str = "", kind: str = "availability") -> str:
    text = SHOP + f"""\
  slos:
    - name: ok
      type: {kind}
      stages: [checkout]
      objective: {objective}
"""
    if kind == "latency":
        text += "      threshold: 500ms\n"
    if window:
        text += f"      window: {window}\n"
    return text + alerting


def factors(text: str) -> list[tuple[str, float, float]]:
    return [(b.severity, b.factor, b.long) for b in parse_journey(text, "shop.yaml").slos[0].burn_rates]


@pytest.mark.parametrize("window, expected", [
    ("30d", [14.4, 6, 3, 1]),  # the workbook's table
    ("28d", [13.44, 5.6, 2.8, 1]),  # 10% in 3d is 0.93x: tickets stay at 1x or more
    ("7d", [3.36, 1.4, 1, 1]),
    ("90d", [43.2, 18, 9, 3]),
])
def test_default_factors_keep_the_budget_share_whatever_the_window(window, expected):
    assert [f for _, f, _ in factors(slo(window=window))] == pytest.approx(expected)


def test_a_page_fires_after_the_same_share_of_the_budget_for_every_window():
    for window, days in (("7d", 7), ("28d", 28), ("30d", 30), ("90d", 90)):
        page = factors(slo(window=window))[0]
        assert page[1] * page[2] / (days * 86400) == pytest.approx(0.02)


def test_budget_share_entries_are_scaled_and_factor_entries_kept():
    text = slo(window="7d", alerting="""\
      alerting:
        burnRates:
          - {severity: page, budgetShare: 2, long: 1h, short: 5m}
          - {severity: ticket, factor: 2, long: 1d, short: 2h}
""")
    assert factors(text) == [("page", pytest.approx(3.36), 3600.0), ("ticket", 2, 86400.0)]


def test_factor_and_budget_share_together_are_refused():
    text = slo(alerting="""\
      alerting:
        burnRates:
          - {severity: page, factor: 2, budgetShare: 2, long: 1h, short: 5m}
""")
    assert problems(text) == ["shop.yaml:20:13: give a burn rate exactly one of factor and budgetShare"]


def test_a_pair_that_needs_more_than_all_events_failing_is_refused_at_its_factor():
    text = slo(objective=90, alerting="""\
      alerting:
        burnRates:
          - {severity: page, factor: 14.4, long: 1h, short: 5m}
""")
    assert problems(text) == [
        "shop.yaml:20:38: a 14.4x burn rate with an error budget of 10% needs more than 100% errors: this page "
        "could never fire; lower the factor or raise the objective"]


def test_default_pairs_that_cannot_fire_are_refused_at_the_window():
    # 2% of a 90d budget in 1h is 43.2x: with a 99% objective that is 43% errors, fine; at 97% it is 130%.
    assert problems(slo(objective=97, window="90d"))[0] == (
        "shop.yaml:17:18: a 43.2x burn rate with an error budget of 3% needs more than 100% errors: this page could "
        "never fire; give alerting.burnRates with longer windows, or raise the objective")


def test_a_long_window_beyond_the_slo_window_is_refused():
    text = slo(window="1d")
    assert "shop.yaml:18:15: long window 3d is longer than the SLO window 1d; set alerting.burnRates" in problems(text)
    own = slo(window="2d", alerting="""\
      alerting:
        burnRates:
          - {severity: ticket, factor: 1, long: 3d, short: 6h}
""")
    assert problems(own) == ["shop.yaml:21:49: long window 3d is longer than the SLO window 2d"]


def test_a_page_at_budget_consistent_rates_is_a_warning_not_an_error():
    text = slo(alerting="""\
      alerting:
        burnRates:
          - {severity: page, factor: 1, long: 1d, short: 6h}
""")
    journey = parse_journey(text, "shop.yaml")
    assert [str(w) for w in journey.warnings] == [
        "shop.yaml:20:38: warning: page at 1x over 1d fires at error ratios the budget sustains for the whole 30d "
        "window: a page should need a faster burn (factor above 1)"]
    assert not parse_journey(slo(), "shop.yaml").warnings


def test_guard_default_is_the_fewest_events_one_failure_cannot_page():
    guards = [(b.severity, b.min_events) for b in parse_journey(slo(), "shop.yaml").slos[0].burn_rates]
    assert guards == [("page", 70), ("page", 167), ("ticket", 0), ("ticket", 0)]
    # exactly 1 / (factor x budget) events: one failure is on the threshold, which the strict > does not cross
    assert guard_events(10, 0.01) == 10
    assert guard_events(14.4, 0.05) == 2


def test_min_events_overrides_every_page_pair_and_zero_disables():
    for value, expected in (("500", 500), ("0", 0)):
        text = slo(alerting=f"      alerting:\n        minEvents: {value}\n")
        pages = [b.min_events for b in parse_journey(text, "shop.yaml").slos[0].burn_rates if b.severity == "page"]
        assert pages == [expected, expected]


def test_min_events_on_an_slo_without_events_is_refused():
    text = SHOP + """\
  slos:
    - name: fresh
      type: freshness
      freshness: {metric: last_success_timestamp_seconds, maxAge: 26h}
      objective: 99
      alerting: {minEvents: 10, burnRates: [{severity: page, factor: 6, long: 1d, short: 6h}]}
"""
    assert problems(text) == ["shop.yaml:18:29: minEvents guards SLOs that count events (availability, latency, "
                              "journey-time); a time-slice or raw SLI has none"]
    assert parse_journey(text.replace("minEvents: 10, ", ""), "shop.yaml").slos[0].burn_rates[0].min_events == 0


@pytest.mark.integration
def test_the_build_prints_the_warning_at_its_position_and_succeeds(tmp_path):
    import os
    import shutil
    import subprocess
    import sys

    from tests.conftest import ROOT

    name = "burn-windows-1d-6h.yaml"  # a daily job's page at 1x over 1d/6h
    shutil.copy(ROOT / "tests" / "spec" / "crashes" / name, tmp_path / name)
    result = subprocess.run([sys.executable, "-m", "obsgen", "build", "--no-validate", "--out", "out", name],
                            cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"{name}:17:38: warning: page at 1x over 1d fires at error ratios the budget sustains for the whole 30d "
        f"window: a page should need a faster burn (factor above 1)"]
