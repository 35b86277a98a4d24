"""The alert-quality benchmark's own arithmetic (its promtool runs are the benchmark itself)."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("alert_quality", ROOT / "benchmarks" / "alert_quality.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["alert_quality"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def checkout_success(bench, purchase_journey):
    return next(s for s in bench.pick_slos(purchase_journey) if s.name == "checkout-success")


def page_and_ticket(bench, journey, slo):
    alerts = bench.alerts_for(journey, slo)
    return next(a for a in alerts if a.severity == "page" and a.slo), next(a for a in alerts if a.severity == "ticket")


def test_picks_the_999_availability_slo_and_the_latency_slo(bench, purchase_journey):
    assert [s.name for s in bench.pick_slos(purchase_journey)] == ["checkout-success", "checkout-latency"]


def test_workbook_formula_for_a_total_outage(bench, purchase_journey, checkout_success):
    page, ticket = page_and_ticket(bench, purchase_journey, checkout_success)
    # 0.001 / 1.0 x 60 min x 14.4 = 0.864 min; the ticket's fastest pair is 3x over 1d: 4.32 min
    assert bench.workbook_detection(page, checkout_success, 1.0) == pytest.approx(0.864)
    assert bench.workbook_detection(ticket, checkout_success, 1.0) == pytest.approx(4.32)
    # 1% is below 14.4x: only the 6x / 6h pair can page, after 0.1 x 360 min x 6 = 216 min
    assert bench.workbook_detection(page, checkout_success, 0.01) == pytest.approx(216)
    assert bench.workbook_detection(page, checkout_success, 0.001) is None


def test_rules_file_keeps_only_what_the_measured_alerts_read(bench, purchase_journey, checkout_success):
    alerts = bench.alerts_for(purchase_journey, checkout_success)
    kept = bench.rules_file(purchase_journey, checkout_success, alerts)
    rules = [r for g in kept["groups"] for r in g["rules"]]
    records = {r["record"] for r in rules if "record" in r}
    assert records == {f"slo:sli_error:ratio_rate{w}" for w in ("5m", "30m", "1h", "2h", "6h", "1d", "3d")}
    assert all(r["labels"]["slo"] == "checkout-success" for r in rules if "record" in r)
    assert sorted(r["alert"] for r in rules if "alert" in r) == ["HighCheckoutErrorRate",
                                                                 "PurchaseCheckoutSuccessErrorBudgetBurn",
                                                                 "PurchaseCheckoutSuccessErrorBudgetBurn"]


def test_plan_measures_fast_burns_per_minute_and_slow_ones_over_days(bench, purchase_journey, checkout_success):
    alerts = bench.alerts_for(purchase_journey, checkout_success)
    outage = bench.plan(purchase_journey, bench.Case(checkout_success, 1.0), alerts)
    assert outage.step == 60 and outage.history == 3 * 24 * 60
    budget = bench.plan(purchase_journey, bench.Case(checkout_success, 0.001), alerts)
    assert budget.step == 300 and budget.incident * budget.step == 3 * 86400  # nothing fires: a full 3d


def test_windows_mode_compares_fixed_with_window_aware_factors_and_counts_budget_spent(purchase_journey):
    from benchmarks import burn_windows

    slo = next(s for s in purchase_journey.slos if s.name == "checkout-success")
    assert [b.factor for b in burn_windows.fixed(slo).burn_rates] == [14.4, 6, 3, 1]
    week = burn_windows.window_aware(slo, 7)
    assert [b.factor for b in week.burn_rates] == pytest.approx([3.36, 1.4, 1, 1])
    assert [b.min_events for b in week.burn_rates] == [298, 715, 0, 0]
    assert [b.min_events for b in burn_windows.window_aware(slo, 30, guarded=False).burn_rates] == [0, 0, 0, 0]
    # 1% bad for 22 minutes of a 0.1% budget over 7 days: 0.22 / (0.001 x 10080) = 2.18%
    assert burn_windows.budget_spent(0.01, 22, slo, 7) == "2.18%"
    assert burn_windows.budget_spent(0.01, None, slo, 7) == "-"
