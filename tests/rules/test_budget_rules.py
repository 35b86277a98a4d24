"""The period rule and the budget alerts as generated: their PromQL, group, names, runbook and routing."""

from __future__ import annotations

import pytest

from obsgen.artifacts.alertmanager.amtool import routes_test
from obsgen.artifacts.alertmanager.emit import emit_alertmanager
from obsgen.artifacts.prometheus import budget, journey_alerts, rule_groups
from obsgen.artifacts.prometheus.emit import emit_rules
from obsgen.artifacts.prometheus.period import BAD_EVENTS, PERIOD_INTERVAL, VALID_EVENTS
from obsgen.artifacts.prometheus.sli import sli_record_name
from obsgen.artifacts.runbook.emit import runbook
from obsgen.build.load import load_journey, parse_journey
from obsgen.tools import promtool
from tests.conftest import ROOT
from tests.spec_text import SHOP

KAFKA = ROOT / "specs" / "examples" / "kafka-consumer.yaml"  # a lag SLO (time slices) beside event SLOs
SLOS = """\
  slos:
    - {name: checkout, type: availability, stages: [checkout], objective: 99.9}
"""


def _budget_alerts(journey):
    return [a for a in journey_alerts(journey) if a.kind in (budget.EXHAUSTED, budget.FORECAST)]


def test_the_period_group_counts_events_every_2m30s():
    journey = parse_journey(SHOP + SLOS, "shop.yaml")
    group = next(g for g in rule_groups(journey) if g.name == "obsgen-shop-sli-period")
    assert group.interval == PERIOD_INTERVAL == "2m30s"
    assert [r.record for r in group.rules] == [BAD_EVENTS, VALID_EVENTS, sli_record_name(30 * 86400)]
    assert group.rules[2].expr == (
        'sum_over_time(slo:sli_bad_events:rate5m{journey="shop",slo="checkout"}[30d])\n/\n'
        '(\n  sum_over_time(slo:sli_valid_events:rate5m{journey="shop",slo="checkout"}[30d])\n  > 0\n)')
    # The 30d ratio is the period group's only: the fast SLI group no longer records it.
    fast = next(g for g in rule_groups(journey) if g.name == "obsgen-shop-sli")
    assert sli_record_name(30 * 86400) not in [r.record for r in fast.rules]


def test_time_slice_slos_keep_the_share_of_bad_minutes():
    journey = load_journey(KAFKA)
    slo = next(s for s in journey.slos if s.timeslice is not None)
    period = [r for g in rule_groups(journey) for r in g.rules
              if getattr(r, "record", None) == sli_record_name(slo.window) and dict(r.labels)["slo"] == slo.name]
    assert len(period) == 1 and period[0].expr.startswith("sum_over_time(slo:sli_error:timeslice{")
    assert "count_over_time(slo:sli_error:timeslice{" in period[0].expr


def test_budget_alerts_are_tickets_named_once_with_the_forecast_horizon():
    journey = parse_journey(SHOP + SLOS, "shop.yaml")
    alerts = {a.alert: a for a in _budget_alerts(journey)}
    exhausted, forecast = alerts["ShopCheckoutErrorBudgetExhausted"], alerts["ShopCheckoutErrorBudgetRunningOut"]
    assert exhausted.severity == forecast.severity == "ticket"
    assert exhausted.expr == 'slo:period_error_budget_remaining:ratio{journey="shop",slo="checkout"} <= 0'
    assert "< 648000" in forecast.expr  # a quarter of 30d, in seconds
    assert "slo:sli_error:ratio_rate1d{" in forecast.expr and "slo:sli_error:ratio_rate3d{" in forecast.expr
    records = [r.record for g in rule_groups(journey) for r in g.rules if hasattr(r, "record")]
    assert {"slo:sli_error:ratio_rate1d", "slo:sli_error:ratio_rate3d"} <= set(records)


def test_the_runbook_explains_both_alerts_with_the_budget_policy():
    journey = parse_journey(SHOP + SLOS, "shop.yaml")
    page = runbook(journey)
    for name in ("ShopCheckoutErrorBudgetExhausted", "ShopCheckoutErrorBudgetRunningOut"):
        section = page.split(f"### {name}\n", 1)[1].split("\n### ", 1)[0]
        assert "**What to do** (the budget policy):" in section and "Freeze risky releases" in section


@pytest.mark.integration
def test_rules_pass_promtool_and_budget_alerts_route_to_tickets(tmp_path):
    journey = load_journey(KAFKA)
    assert _budget_alerts(journey)
    paths = []
    for artifact in emit_rules(journey) + emit_alertmanager(journey):
        path = tmp_path / artifact.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(artifact.content)
        paths.append(path)
    assert promtool.check_rules([p for p in paths if p.suffix == ".yaml" and "prometheus" in p.parts]) == []
    config = next(p for p in paths if "alertmanager" in p.parts)
    for alert in _budget_alerts(journey):
        labels = {"alertname": alert.alert, **dict(alert.labels)}
        assert routes_test(config, labels) == [f"{journey.name}-ticket"], alert.alert
