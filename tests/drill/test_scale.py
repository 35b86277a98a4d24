"""Drill time scale: windows and `for` divided, with floors, from the same rule builders."""

from __future__ import annotations

import pytest
import yaml

from lab.drill.scale import (DrillScale, longest_reset_window, scale_journey, scaled_alerts, scaled_rule_groups,
                             write_drill_copy)
from obsgen.artifacts.prometheus import AlertRule, rule_groups
from obsgen.build.load import load_journey
from obsgen.promql import format_duration
from tests.conftest import ROOT

SCALE = DrillScale(factor=60, evaluation_interval=5)


def test_windows_and_holds_have_floors():
    assert SCALE.min_window == 20
    assert SCALE.window(3600) == 60
    assert SCALE.window(300) == 20  # 5 s would be fewer than four scrapes
    assert SCALE.hold(120) == 5  # 2 s is less than one evaluation
    assert SCALE.hold(900) == 15
    assert SCALE.hold(0) == 0


def test_scaled_journey_scales_every_alert_window(purchase_journey):
    scaled = scale_journey(purchase_journey, SCALE)
    checkout = scaled.stage("checkout")
    assert checkout.error_rate_alert.window == 20 and checkout.latency_alert.window == 20
    slo = scaled.slos[0]
    assert slo.window == 30 * 86400 / 60
    assert [(b.long, b.short) for b in slo.burn_rates] == [(60, 20), (360, 30), (1440, 120), (4320, 360)]
    # The low-traffic guard shrinks with its short window: the same traffic puts fewer events in it
    # (70 events in 5m -> 5 in 20s; 167 in 30m -> 3 in 30s).
    assert [b.min_events for b in slo.burn_rates] == [5, 3, 0, 0]
    saturation, = scaled.dependency("rabbitmq").saturations
    assert (saturation.predict_range, saturation.predict_ahead) == (30, 60)
    # Not windows: thresholds and objectives stay.
    assert checkout.error_rate_alert.threshold == purchase_journey.stage("checkout").error_rate_alert.threshold
    assert slo.objective == purchase_journey.slos[0].objective


def test_scaled_rules_use_the_scaled_windows_and_names(purchase_journey):
    groups = scaled_rule_groups(purchase_journey, SCALE)
    records = {r.record for g in groups for r in g.rules if not isinstance(r, AlertRule)}
    assert "slo:sli_error:ratio_rate1m" in records and "slo:sli_error:ratio_rate1h" not in records
    alerts = {(r.alert, r.severity): r for g in groups for r in g.rules if isinstance(r, AlertRule)}
    page = alerts[("PurchaseCheckoutSuccessErrorBudgetBurn", "page")]
    assert page.for_ == "5s" and "slo:sli_error:ratio_rate1m" in page.expr and "ratio_rate20s" in page.expr
    assert "[20s]" in alerts[("HighCheckoutErrorRate", "page")].expr
    assert alerts[("PurchaseJourneyTimeDataMissing", "ticket")].for_ == "15s"  # 15m, a constant of the builder
    assert "predict_linear(rabbitmq_queue_messages_ready{queue=\"orders\"}[30s], 60)" in \
        alerts[("PurchaseRabbitmqBacklogPredictedHigh", "ticket")].expr
    # Labels stay as generated: routing and inhibition see the same alerts.
    original = next(r for g in rule_groups(purchase_journey) for r in g.rules
                    if isinstance(r, AlertRule) and (r.alert, r.severity) == (page.alert, "page"))
    assert page.labels == original.labels


def test_scaled_alerts_pair_each_for_with_its_original(purchase_journey):
    pairs = {(a.alert, a.severity): (a.original_hold, a.hold) for a in scaled_alerts(purchase_journey, SCALE)}
    assert pairs[("PurchaseDatabaseDown", "page")] == ("1m", "5s")
    assert pairs[("PurchaseCheckoutSuccessErrorBudgetBurn", "ticket")] == ("15m", "15s")


@pytest.mark.integration
def test_drill_copy_is_a_generated_tree_that_promtool_accepts(purchase_journey, tmp_path):
    written = write_drill_copy([purchase_journey], SCALE, tmp_path)
    names = sorted(p.relative_to(tmp_path).as_posix() for p in written)
    assert names == ["_fleet/alertmanager/alertmanager.yaml", "purchase/prometheus/alerts.rules.yaml",
                     "purchase/prometheus/recording.rules.yaml"]
    alerts = (tmp_path / "purchase/prometheus/alerts.rules.yaml").read_text()
    assert "DRILL COPY: alert windows and `for` durations divided by 60" in alerts.splitlines()[0]
    config = yaml.safe_load((tmp_path / "_fleet/alertmanager/alertmanager.yaml").read_text())
    assert any('alertname="PurchaseDatabaseDown"' in r["source_matchers"] for r in config["inhibit_rules"])


def test_the_companion_s_period_is_at_drill_scale(purchase_journey):
    """Its symptoms' longest scaled short window plus one scrape and two evaluations of the stack."""
    groups = scaled_rule_groups(purchase_journey, SCALE)
    companions = {r.label("inhibits"): r for g in groups for r in g.rules
                  if isinstance(r, AlertRule) and r.alert == "PurchaseDatabaseRecentlyDown"}
    # page: 6x over 6h/30m -> 30s; ticket: 1x over 3d/6h -> 6m; lag 5s + 2 x 5s
    assert "[45s]" in companions["page"].expr and "[6m15s]" in companions["ticket"].expr
    assert companions["page"].for_ == "0s"


def test_the_rabbitmq_companion_waits_for_the_real_time_drain_at_drill_scale(purchase_journey):
    """Its period is scaled like every window; the queue's drain limit is not: the backlog drains in real time."""
    groups = scaled_rule_groups(purchase_journey, SCALE)
    page = next(r for g in groups for r in g.rules if isinstance(r, AlertRule)
                and r.alert == "PurchaseRabbitmqRecentlyDown" and r.label("inhibits") == "page")
    assert 'rabbitmq_queue_messages_ready{queue="orders"}[45s]' in page.expr
    assert 'journey="purchase"}[1h45s]' in page.expr  # 45s + the unscaled 1h drain limit
    assert 'inhibits="page"}[7s500ms]' in page.expr  # its own evaluation before: 1.5 x 5s


def test_a_group_s_own_interval_is_scaled_with_a_floor(purchase_journey):
    """The SLO-window group's 2m30s would lag a 5s stack, and the drill waits for every group's first run."""
    intervals = {g.name: g.interval for g in scaled_rule_groups(purchase_journey, SCALE)}
    assert intervals["obsgen-purchase-sli-period"] == "5s"  # 150s / 60 = 2.5s, floored at one evaluation
    assert {g.name: g.interval for g in rule_groups(purchase_journey)}["obsgen-purchase-sli-period"] == "2m30s"


def test_the_journey_runs_at_the_stack_s_intervals(purchase_journey):
    scaled = scale_journey(purchase_journey, SCALE)
    assert (scaled.scrape_interval, scaled.evaluation_interval) == (5, 5)
    assert (purchase_journey.scrape_interval, purchase_journey.evaluation_interval) == (15, 60)


def test_resolution_waits_for_the_longest_companion(purchase_journey):
    # the ticket companion (6m15s) outlasts every scaled short window (6m) and stage window
    assert longest_reset_window(purchase_journey, SCALE) == 375


def test_a_failures_alert_window_is_scaled_too():
    # The restic backup job of specs/examples/nightly-backup.yaml alerts on its failures within a day.
    journey = load_journey(ROOT / "specs" / "examples" / "nightly-backup.yaml")
    scaled = scale_journey(journey, SCALE)
    assert journey.stage("backup").failures_alert.window == 86400
    assert scaled.stage("backup").failures_alert.window == 1440
    assert f"[{format_duration(1440)}]" in next(
        r.expr for g in scaled_rule_groups(journey, SCALE) for r in g.rules if getattr(r, "kind", "") == "failures")


def test_a_drill_holds_incident_alerts_only_not_budget_policy(purchase_journey):
    from lab.drill.scale import drilled_rule_groups
    from obsgen.artifacts.prometheus import AlertRule, budget, journey_alerts

    kinds = {r.kind for g in drilled_rule_groups(purchase_journey) for r in g.rules if isinstance(r, AlertRule)}
    assert {budget.EXHAUSTED, budget.FORECAST} <= {a.kind for a in journey_alerts(purchase_journey)}
    assert not kinds & {budget.EXHAUSTED, budget.FORECAST}
    assert {"burn-rate-page", "burn-rate-ticket"} <= kinds
