"""After the cause resolves: the RecentlyDown companion covers every symptom still firing on the outage's
errors, and a new failure after the page period pages. Checked on paper against the purchase spec's
windows, then by promtool against the real rules (a companion cut short fails the generated test)."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from obsgen.artifacts.prometheus import journey_alerts, recently_down, rule_groups
from obsgen.artifacts.prometheus.emit import rule_file_artifacts
from obsgen.artifacts.prometheus.recently_down import reset_periods, reset_windows
from obsgen.artifacts.ruletests.recovery import DRAINS, STUCK, recovery_scenario, recovery_scenarios
from obsgen.artifacts.ruletests.scenarios import ScenarioError, decidable_alerts
from obsgen.artifacts.ruletests.testfile import RULES_DIR, TESTS_DIR, scenario_group, test_document as rule_test_file
from obsgen.tools import promtool


@pytest.fixture(scope="module")
def alerts(purchase_journey):
    return decidable_alerts(purchase_journey, journey_alerts(purchase_journey))


@pytest.fixture(scope="module")
def database(purchase_journey, alerts):
    return recovery_scenario(purchase_journey, alerts, purchase_journey.dependency("database"))


@pytest.fixture(scope="module")
def draining(purchase_journey, alerts):
    return recovery_scenario(purchase_journey, alerts, purchase_journey.dependency("rabbitmq"), DRAINS)


@pytest.fixture(scope="module")
def stuck(purchase_journey, alerts):
    return recovery_scenario(purchase_journey, alerts, purchase_journey.dependency("rabbitmq"), STUCK)


def _resolved(timeline, cause):
    return next(s for s in range(10, 120) if timeline.fires(cause, s - 1) and not timeline.fires(cause, s))


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
    # RabbitMQ's queue gauge adds two each to RabbitMQ and to the Celery worker that consumes its queue
    # (dependsOn rabbitmq): the backlog drains after the restore, or never does.
    assert len(found) == len(purchase_journey.dependencies) + 4 == 8
    assert sum("while the queue drains" in s.name for s in found) == 2
    assert sum("the queue never drains" in s.name for s in found) == 2
    assert sum("(celery-worker)" in s.name for s in found) == 3


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


def test_while_the_backlog_drains_past_the_short_window_no_page_until_drained_and_reset(purchase_journey, draining,
                                                                                       alerts):
    """The RabbitMQ drill's failure on paper: the orders queued during the outage drain for longer than the
    30m window after the broker is back, and order completion stays late until they have."""
    timeline = draining.timeline
    cause = _rule(alerts, "PurchaseRabbitmqDown")
    page = _rule(alerts, "PurchaseCheckoutSuccessErrorBudgetBurn", "page")
    companion = _rule(alerts, "PurchaseRabbitmqRecentlyDown", inhibits="page")
    resolved = _resolved(timeline, cause)
    last_page = next(s for s in range(resolved, draining.horizon) if not timeline.fires(page, s + 1))
    period = reset_periods(purchase_journey, purchase_journey.dependency("rabbitmq"))["page"] / 60
    assert last_page - resolved > period  # a timed companion alone would have let it page
    assert all(timeline.fires(companion, s) for s in range(resolved, last_page + 1))
    again = [s for s in range(last_page + 1, draining.horizon) if timeline.fires(page, s)]
    assert again and not timeline.fires(companion, again[0])  # the new failure after the reset pages


def test_a_queue_that_never_drains_mutes_pages_for_at_most_the_drain_limit(purchase_journey, stuck, alerts):
    timeline = stuck.timeline
    rabbitmq = purchase_journey.dependency("rabbitmq")
    companion = _rule(alerts, "PurchaseRabbitmqRecentlyDown", inhibits="page")
    resolved = _resolved(timeline, _rule(alerts, "PurchaseRabbitmqDown"))
    bound = (reset_periods(purchase_journey, rabbitmq)["page"] + rabbitmq.saturations[0].drain_limit) / 60
    assert timeline.fires(companion, resolved + int(bound) - 2)
    assert not timeline.fires(companion, resolved + int(bound) + 1)
    page = _rule(alerts, "PurchaseCheckoutSuccessErrorBudgetBurn", "page")
    assert any(timeline.fires(page, s) for s in range(resolved + int(bound) + 1, stuck.horizon + 1))


def test_a_companion_shorter_than_its_symptoms_reset_is_refused(purchase_journey, alerts, monkeypatch):
    # Two minutes shorter than the short window (in the tests' 1m world the lag itself is never needed:
    # errors stop on the very evaluation the cause resolves, so the window alone just covers them).
    monkeypatch.setattr(recently_down, "reset_lag", lambda journey: -120.0)
    shorter = decidable_alerts(purchase_journey, journey_alerts(purchase_journey))
    with pytest.raises(ScenarioError, match="still fires .* after PurchaseDatabaseDown resolved"):
        recovery_scenario(purchase_journey, shorter, purchase_journey.dependency("database"))


@pytest.mark.integration
@pytest.mark.parametrize("drain_part, passes", [(True, True), (False, False)])
def test_promtool_holds_the_backlog_aware_companion_to_the_drain(purchase_journey, draining, tmp_path, drain_part,
                                                                 passes):
    """The drain scenario passes on the real rules, and fails on a companion without its backlog part."""
    companion = "PurchaseRabbitmqRecentlyDown"
    groups = rule_groups(purchase_journey)
    if not drain_part:
        groups = [dataclasses.replace(g, rules=tuple(_timed_only(purchase_journey, r) if getattr(r, "alert", "")
                                                     == companion else r for r in g.rules)) for g in groups]
    result = _promtool(tmp_path, groups, rule_groups(purchase_journey), draining)
    assert result.passed is passes, [f.text for f in result.failures][:3]
    if not passes:
        assert {f.alertname for f in result.failures} >= {companion}


@pytest.mark.integration
def test_promtool_holds_the_stuck_queue_bound(purchase_journey, stuck, tmp_path):
    result = _promtool(tmp_path, rule_groups(purchase_journey), rule_groups(purchase_journey), stuck)
    assert result.passed, [f.text for f in result.failures][:3]


def _timed_only(journey, rule):
    period = reset_periods(journey, journey.dependency(rule.dependency))[rule.label("inhibits")]
    return dataclasses.replace(rule, expr=recently_down.cause_was_firing(journey, journey.dependency(rule.dependency),
                                                                         period))


def _promtool(tmp_path, groups, documented, scenario):
    rules = tmp_path / RULES_DIR
    rules.mkdir()
    for artifact in rule_file_artifacts(groups, "test"):
        (tmp_path / artifact.path).write_text(artifact.content)
    tests = tmp_path / TESTS_DIR
    tests.mkdir()
    doc = rule_test_file(documented, ["recording.rules.yaml", "alerts.rules.yaml"], [scenario_group(scenario)])
    (tests / "after.tests.yaml").write_text(yaml.safe_dump(doc))
    return promtool.test_rules([tests / "after.tests.yaml"])


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


@pytest.fixture(scope="module")
def order_stream():
    from obsgen.build.load import load_journey

    return load_journey("specs/examples/kafka-consumer.yaml", source_name="specs/examples/kafka-consumer.yaml")


@pytest.mark.integration
def test_kafka_consumer_lag_draining_holds_the_lag_page_until_drained_and_reset(order_stream, tmp_path):
    """A real system's backlog: kafka_exporter's kafka_consumergroup_lag stays above one poll (500) for longer
    than the page period after the Kafka cluster is back. The lag SLO's page stays held back until the lag
    has drained and its window reset, a new failure after that pages, and promtool agrees on the real rules."""
    kafka = order_stream.dependency("orders-kafka")
    alerts = decidable_alerts(order_stream, journey_alerts(order_stream))
    scenario = recovery_scenario(order_stream, alerts, kafka, DRAINS)
    timeline = scenario.timeline
    page = _rule(alerts, "OrderStreamConsumerLagErrorBudgetBurn", "page")
    companion = _rule(alerts, "OrderStreamOrdersKafkaRecentlyDown", inhibits="page")
    resolved = _resolved(timeline, _rule(alerts, "OrderStreamOrdersKafkaDown"))
    last_page = next(s for s in range(resolved, scenario.horizon) if not timeline.fires(page, s + 1))
    assert last_page - resolved > reset_periods(order_stream, kafka)["page"] / 60
    assert all(timeline.fires(companion, s) for s in range(resolved, last_page + 1))
    again = next(s for s in range(last_page + 1, scenario.horizon) if timeline.fires(page, s))
    assert not timeline.fires(companion, again)
    result = _promtool(tmp_path, rule_groups(order_stream), rule_groups(order_stream), scenario)
    assert result.passed, [f.text for f in result.failures][:3]
