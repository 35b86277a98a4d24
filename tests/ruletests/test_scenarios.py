"""Scenario timing, cross-checked by hand against the model's windows, factors and `for` durations.

The generated tests take their expected minutes from the reference evaluator; these tests redo a
few of them on paper, so the reference itself is not the only witness. Incidents start at minute
S = INCIDENT_START; the first failed request shows in the sample at S + 1.
"""

from __future__ import annotations

import pytest

from obsgen.artifacts.prometheus import all_alerts
from obsgen.artifacts.ruletests import extent, generation
from obsgen.artifacts.ruletests.scenarios import INCIDENT_START as S, RECOVER_AFTER, Baseline, Scenario, scenarios


@pytest.fixture(scope="module", params=generation.GENERATIONS, ids=lambda g: f"prometheus-{g}")
def catalogue(request, purchase_journey) -> list[Scenario]:
    with generation.targeting(request.param):
        with extent.extended_scenarios():  # the low-traffic scenarios among them
            return scenarios(purchase_journey)


@pytest.fixture(scope="module")
def alerts(purchase_journey):
    return {(a.alert, a.severity): a for a in all_alerts(purchase_journey)}


def scenario_of(catalogue, alert, family: str = "") -> Scenario:
    return next(s for s in catalogue if alert in s.subjects and s.name.startswith(family))


def test_hard_outage_pages_two_minutes_after_the_first_bad_sample(catalogue, alerts):
    page = alerts[("PurchaseCheckoutSuccessErrorBudgetBurn", "page")]
    timeline = scenario_of(catalogue, page).timeline
    # At S+1 the 5m window holds 1 bad minute of 5 (20%) and the 1h window 1 of S+1 (all data so far):
    # both far above 14.4 x 0.1% = 1.44%, so the alert is pending from S+1 and fires `for: 2m` later.
    assert page.for_ == "2m"
    assert not timeline.fires(page, S + 2)
    assert timeline.fires(page, S + 3)


def test_hard_outage_page_resolves_when_the_30m_short_window_is_clean(catalogue, alerts):
    page = alerts[("PurchaseCheckoutSuccessErrorBudgetBurn", "page")]
    timeline = scenario_of(catalogue, page).timeline
    end = S + 3 + RECOVER_AFTER  # the incident stops RECOVER_AFTER minutes after the page fired
    # The 5m/1h pair clears 5 minutes after the end, but the 6x pair's 30m window still holds a bad
    # minute (1/30 = 3.3% > 0.6%) until the last bad minute leaves it, 30 minutes after the end;
    # Prometheus 3's left-open window lets it go one evaluation sooner.
    last = end + (29 if timeline.reference.sim.generation == 2 else 28)
    assert timeline.fires(page, last)
    assert not timeline.fires(page, last + 1)


def test_slow_burn_tickets_when_all_the_data_so_far_burns_faster_than_1x(catalogue, alerts, purchase_journey):
    ticket = alerts[("PurchaseCheckoutSuccessErrorBudgetBurn", "ticket")]
    page = alerts[("PurchaseCheckoutSuccessErrorBudgetBurn", "page")]
    timeline = scenario_of(catalogue, ticket, "slow burn").timeline
    healthy = Baseline(purchase_journey).error_ratio(purchase_journey.stage("checkout")) / 0.001  # in budgets
    # Every window is longer than the data (minutes), so each holds all of it: S healthy minutes and
    # t - S minutes at 2x. (S * healthy + 2 (t - S)) / t > 1  <=>  t > S (2 - healthy).
    pending = int(S * (2 - healthy)) + 1
    assert pending == 10
    assert not timeline.fires(ticket, pending + 15 - 1)
    assert timeline.fires(ticket, pending + 15)  # ticket `for: 15m`
    assert not any(timeline.fires(page, step) for step in range(pending + 16))


def test_low_traffic_outage_tickets_but_the_guard_holds_the_page(catalogue, alerts, purchase_journey):
    ticket = alerts[("PurchaseCheckoutSuccessErrorBudgetBurn", "ticket")]
    page = alerts[("PurchaseCheckoutSuccessErrorBudgetBurn", "page")]
    scenario = scenario_of(catalogue, ticket, "low traffic")
    # every checkout request fails, at 2 a minute: 10 in 5m and 60 in 30m, under the guards' 70 and 167
    assert "all 2 checkout requests a minute fail" in scenario.name
    fired = next(step for step in range(scenario.horizon) if scenario.timeline.fires(ticket, step))
    assert not any(scenario.timeline.fires(page, step) for step in range(scenario.horizon + 1))
    # promtool asserts the page quiet at the minute the ticket fires, when an unguarded page would fire too
    assert (fired, page.alert) in scenario.checks


def test_dependency_down_fires_after_its_for(catalogue, alerts):
    down = alerts[("PurchaseDatabaseDown", "page")]
    for scenario in (s for s in catalogue if down in s.subjects):
        # health reads 0 (or disappears) in the sample at S: pending at S, firing 1m later
        assert not scenario.timeline.fires(down, S)
        assert scenario.timeline.fires(down, S + 1)


def test_absent_data_fires_fifteen_minutes_after_the_series_go_stale(catalogue, alerts):
    absent = alerts[("PurchaseCheckoutSliDataMissing", "ticket")]
    timeline = scenario_of(catalogue, absent).timeline
    assert not timeline.fires(absent, S + 14)
    assert timeline.fires(absent, S + 15)


def test_predicted_backlog_fires_before_the_backlog_crosses_the_threshold(catalogue, alerts, purchase_journey):
    predicted = alerts[("PurchaseRabbitmqBacklogPredictedHigh", "ticket")]
    actual = alerts[("PurchaseRabbitmqBacklogHigh", "ticket")]
    scenario = scenario_of(catalogue, predicted)
    fired = next(s for s in range(scenario.horizon + 1) if scenario.timeline.fires(predicted, s))
    # 101 + 10/min: one hour ahead is 600 more, so the prediction passes 1000 when the backlog passes
    # 400, 30 minutes in (window fully linear by then); pending at S+30, firing `for: 10m` later.
    assert fired == S + 30 + 10
    assert not any(scenario.timeline.fires(actual, s) for s in range(scenario.horizon + 1))


def test_every_scenario_checks_the_minute_before_and_the_minute_of_each_change(catalogue):
    for scenario in catalogue[1:]:
        for name in scenario.scope:
            for change in scenario.timeline.transitions(name, scenario.horizon):
                assert (change - 1, name) in scenario.checks and (change, name) in scenario.checks


def test_healthy_baseline_checks_every_alert(catalogue, alerts):
    healthy = catalogue[0]
    assert set(healthy.scope) == {name for name, _ in alerts}
    assert all(not healthy.timeline.expected(name, step) for step, name in healthy.checks)


def test_a_page_that_burns_no_faster_than_the_ticket_fires_in_the_slow_burn_too():
    """Issue 12: page and ticket both at 1x over 1d/6h (a daily job's SLO). No slow burn can ticket
    without paging, so the ticket's scenario burns at twice the budget and expects both to fire."""
    from pathlib import Path

    from obsgen.build.load import load_journey

    journey = load_journey(Path(__file__).parents[1] / "spec" / "crashes" / "burn-windows-1d-6h.yaml")
    by_severity = {a.severity: a for a in all_alerts(journey) if a.kind.startswith("burn-rate")}
    slow_burn = next(s for s in scenarios(journey) if by_severity["ticket"] in s.subjects)
    assert "0.2% of checkout requests fail" in slow_burn.name  # twice the 99.9% objective's budget
    assert any(slow_burn.timeline.fires(by_severity["page"], step) for step in range(slow_burn.horizon + 1))
    assert any(slow_burn.timeline.fires(by_severity["ticket"], step) for step in range(slow_burn.horizon + 1))
