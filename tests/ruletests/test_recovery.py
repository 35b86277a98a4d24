"""After the cause resolves: the RecentlyDown companion covers every symptom still firing on the outage's
errors, and a new failure after the page period pages. Checked on paper against the purchase spec's
windows, then by promtool against the real rules (a companion cut short fails the generated test)."""

from __future__ import annotations

import pytest
import yaml

from obsgen import promtool
from obsgen.emitters.prometheus import rule_file_artifacts
from obsgen.rules import journey_alerts, rule_groups
from obsgen.rules import recently_down
from obsgen.rules.recently_down import reset_periods, reset_windows
from obsgen.ruletests.recovery import recovery_scenario, recovery_scenarios
from obsgen.ruletests.scenarios import ScenarioError, decidable_alerts
from obsgen.ruletests.testfile import RULES_DIR, TESTS_DIR, scenario_group
from obsgen.ruletests.testfile import test_document as rule_test_file


@pytest.fixture(scope="module")
def alerts(purchase_journey):
    return decidable_alerts(purchase_journey, journey_alerts(purchase_journey))


@pytest.fixture(scope="module")
def database(purchase_journey, alerts):
    return recovery_scenario(purchase_journey, alerts, purchase_journey.dependency("database"))


def _rule(alerts, name, severity=None, inhibits=None):
    return next(a for a in alerts if a.alert == name and (severity is None or a.severity == severity)
                and (inhibits is None or a.label("inhibits") == inhibits))


def test_the_page_period_is_the_longest_page_short_window_plus_the_lag(purchase_journey):
    database = purchase_journey.dependency("database")
    # purchase pages on 14.4x over 1h/5m and 6x over 6h/30m; its stage alerts use windows of at most 30m.
    assert reset_windows(purchase_journey, database)["page"] == 1800
    # one 15s scrape and two 1m evaluations: the last bad sample reaches the recording rule, then the alert
    assert reset_periods(purchase_journey, database)["page"] == 1800 + 15 + 120


def test_every_dependency_with_page_symptoms_gets_a_scenario(purchase_journey, alerts):
    found = recovery_scenarios(purchase_journey, alerts)
    assert len(found) == len(purchase_journey.dependencies) == 4


def test_a_page_outlives_its_cause_by_its_short_window_and_the_companion_covers_it(purchase_journey, database, alerts):
    timeline = database.timeline
    cause = _rule(alerts, "PurchaseDatabaseDown")
    page = _rule(alerts, "PurchaseCheckoutSuccessErrorBudgetBurn", "page")
    companion = _rule(alerts, "PurchaseDatabaseRecentlyDown", inhibits="page")
    resolved = next(s for s in range(10, 120) if timeline.fires(cause, s - 1) and not timeline.fires(cause, s))
    last_page = next(s for s in range(resolved, resolved + 60) if not timeline.fires(page, s + 1))
    # The 6x/6h+30m pair: the 30m window still holds outage minutes for about 30 minutes.
    assert 25 <= last_page - resolved <= 31
    assert all(timeline.fires(companion, s) for s in range(resolved, last_page + 1))
    # The companion ends within its period after the cause's last firing minute, before the new failure.
    assert not timeline.fires(companion, resolved + 32)


def test_a_new_failure_after_the_page_period_pages_while_tickets_stay_held(purchase_journey, database, alerts):
    timeline = database.timeline
    page = _rule(alerts, "PurchaseCheckoutSuccessErrorBudgetBurn", "page")
    companion_page = _rule(alerts, "PurchaseDatabaseRecentlyDown", inhibits="page")
    companion_ticket = _rule(alerts, "PurchaseDatabaseRecentlyDown", inhibits="ticket")
    again = [s for s in range(40, database.horizon) if timeline.fires(page, s) and not timeline.fires(companion_page, s)]
    assert again, "the new failure never pages on its own"
    assert timeline.fires(companion_ticket, again[0])  # the trade-off: its ticket waits for the ticket period


def test_a_companion_shorter_than_its_symptoms_reset_is_refused(purchase_journey, alerts, monkeypatch):
    # Two minutes shorter than the short window (in the tests' 1m world the lag itself is never needed:
    # errors stop on the very evaluation the cause resolves, so the window alone just covers them).
    monkeypatch.setattr(recently_down, "reset_lag", lambda journey: -120.0)
    shorter = decidable_alerts(purchase_journey, journey_alerts(purchase_journey))
    with pytest.raises(ScenarioError, match="still fires .* after PurchaseDatabaseDown resolved"):
        recovery_scenario(purchase_journey, shorter, purchase_journey.dependency("database"))


@pytest.mark.integration
@pytest.mark.parametrize("period, passes", [("30m", True), ("20m", False)])
def test_promtool_holds_the_real_companion_to_the_scenario(purchase_journey, database, tmp_path, period, passes):
    """The generated scenario passes on the real rules, and fails once the companion's range is cut short."""
    rules = tmp_path / RULES_DIR
    rules.mkdir()
    for artifact in rule_file_artifacts(rule_groups(purchase_journey), "test"):
        text = artifact.content
        if period != "30m":
            text = text.replace('journey="purchase"}[32m15s]', f'journey="purchase"}}[{period}]')
        (tmp_path / artifact.path).write_text(text)
    tests = tmp_path / TESTS_DIR
    tests.mkdir()
    doc = rule_test_file(rule_groups(purchase_journey), ["recording.rules.yaml", "alerts.rules.yaml"],
                        [scenario_group(database)])
    (tests / "after.tests.yaml").write_text(yaml.safe_dump(doc))
    result = promtool.test_rules([tests / "after.tests.yaml"])
    assert result.passed is passes, [f.text for f in result.failures][:3]
    if not passes:
        assert {f.alertname for f in result.failures} >= {"PurchaseDatabaseRecentlyDown"}
