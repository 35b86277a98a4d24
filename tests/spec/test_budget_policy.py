"""The budget policy's spec fields: budgetingMethod follows the SLO's type, forecastWithin fits the window,
and the defaults (ticket alerts named once in obsgen.naming, forecast within a quarter of the window)."""

from __future__ import annotations

from obsgen.build.load import parse_journey
from obsgen.naming import budget_alert_names
from tests.spec_text import AVAILABILITY_SLO, FRESHNESS_SLO, SHOP, problems

SLO = AVAILABILITY_SLO


def test_defaults_are_ticket_alerts_with_a_forecast_within_a_quarter_of_the_window():
    slo = parse_journey(SHOP + SLO, "shop.yaml").slos[0]
    assert slo.budgeting_method == "occurrences"
    assert (slo.budget.exhausted_alert, slo.budget.forecast_alert) == budget_alert_names("ShopCheckout")
    assert slo.budget.exhausted_alert == "ShopCheckoutErrorBudgetExhausted"
    assert (slo.budget.exhausted_severity, slo.budget.forecast_severity) == ("ticket", "ticket")
    assert slo.budget.forecast_within == 30 * 86400 / 4


def test_severities_and_forecast_horizon_can_be_set_or_turned_off():
    text = SHOP + SLO + "      window: 7d\n      alerting:\n        budget: {exhausted: page, forecast: 'off', forecastWithin: 2d}\n"
    slo = parse_journey(text, "shop.yaml").slos[0]
    assert (slo.budget.exhausted_severity, slo.budget.forecast_severity, slo.budget.forecast_within) == (
        "page", None, 2 * 86400)


def test_no_budget_alerts_when_alerting_is_off():
    slo = parse_journey(SHOP + SLO + "      alerting: {enabled: false}\n", "shop.yaml").slos[0]
    assert slo.budget is None


def test_an_event_slo_is_not_budgeted_by_timeslices():
    found = problems(SHOP + SLO + "      budgetingMethod: timeslices\n")
    assert found == ["shop.yaml:18:24: an availability SLO is budgeted by occurrences, not timeslices "
                     "(docs/error-budgets.md)"]


def test_a_freshness_slo_is_budgeted_by_timeslices():
    text = SHOP + FRESHNESS_SLO + "      budgetingMethod: occurrences\n"
    assert problems(text) == ["shop.yaml:18:24: a freshness SLO is budgeted by timeslices, not occurrences "
                              "(docs/error-budgets.md)"]
    slo = parse_journey(text.replace("      budgetingMethod: occurrences\n", "      budgetingMethod: timeslices\n"),
                        "shop.yaml").slos[0]
    assert slo.budgeting_method == "timeslices"


def test_the_forecast_horizon_fits_the_window():
    found = problems(SHOP + SLO + "      window: 7d\n      alerting:\n        budget: {forecastWithin: 8d}\n")
    assert len(found) == 1 and "forecastWithin 8d is longer than the SLO window" in found[0]
