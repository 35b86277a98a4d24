"""The impact rules: the seed's map for the purchase spec, transitivity, SLOs, alerts and metrics."""

from __future__ import annotations

import dataclasses

import pytest

from obsgen.artifacts.impact import broken_set, impact_map
from obsgen.artifacts.impact.data import feature_map
from obsgen.artifacts.prometheus import all_alerts
from obsgen.build.load import parse_journey
from tests.impact.helpers import CHAIN_SPEC, DRILL_FOUND, SEED_MAP, chain_journey, seed_spec_text


@pytest.fixture(scope="module")
def seed_journey():
    """The purchase spec with the seed's dependency map: the rules below are checked against it."""
    return parse_journey(seed_spec_text(), "seed.yaml")


@pytest.fixture(scope="module")
def purchase_map(seed_journey):
    return impact_map(seed_journey)


@pytest.mark.parametrize("dependency", sorted(SEED_MAP))
def test_the_seeds_map_is_expressible(purchase_map, dependency):
    assert sorted(feature_map(purchase_map)[dependency]) == sorted(SEED_MAP[dependency])


@pytest.mark.parametrize("dependency", sorted(SEED_MAP))
def test_purchase_map_is_the_seeds_plus_what_the_drills_found(purchase_journey, dependency):
    expected = SEED_MAP[dependency] + DRILL_FOUND[dependency]
    assert sorted(feature_map(impact_map(purchase_journey))[dependency]) == sorted(expected)


def test_every_dependency_of_the_purchase_spec_has_an_answer(purchase_journey, purchase_map):
    assert [i.dependency for i in purchase_map.impacts] == [d.name for d in purchase_journey.dependencies]
    for impact in purchase_map.impacts:
        assert impact.stages, impact.dependency
        assert impact.cause.alert == purchase_journey.dependency(impact.dependency).down_alert_name


def test_stages_follow_the_spec(purchase_map):
    assert purchase_map.of("database").stage_names == ("browse", "checkout")
    assert purchase_map.of("payment_gateway").stage_names == ("checkout",)
    assert purchase_map.of("rabbitmq").stage_names == ("order_processing", "email")


def test_a_dependency_takes_down_what_depends_on_it(purchase_map):
    rabbitmq = purchase_map.of("rabbitmq")
    assert rabbitmq.also_down == ("celery-worker",)
    assert "PurchaseCeleryWorkerDown" in rabbitmq.symptom_alert_names
    # ...but not the other way round: a stopped worker does not stop the broker.
    worker = purchase_map.of("celery-worker")
    assert worker.also_down == ()
    assert "PurchaseRabbitmqDown" not in worker.symptom_alert_names


def test_failure_spreads_through_chains_of_dependencies():
    journey = chain_journey()
    assert broken_set(journey, "disk") == ("disk", "db", "api-backend")
    assert broken_set(journey, "db") == ("db", "api-backend")
    assert broken_set(journey, "api-backend") == ("api-backend",)
    impacts = impact_map(journey)
    disk = impacts.of("disk")
    assert disk.stage_names == ("pay", "ship")  # disk serves no stage itself
    assert {s.name: s.via for s in disk.stages} == {"pay": ("db",), "ship": ("api-backend",)}
    assert not any(s.direct for s in disk.stages)
    assert disk.features == ("pay", "ship", "tracking")  # stage features, then the extra feature
    assert {"ShopDbDown", "ShopApiBackendDown"} <= set(disk.symptom_alert_names)
    assert [m.name for m in disk.business] == ["payments", "shipments"]
    leaf = impacts.of("api-backend")
    assert leaf.stage_names == ("ship",) and leaf.features == ("ship", "tracking")


def test_unrelated_dependencies_stay_apart():
    impacts = impact_map(chain_journey())
    cdn = impacts.of("cdn")
    assert cdn.stage_names == ("browse",)
    assert [s.name for s in cdn.slos] == ["browse-ok"]
    assert cdn.business == ()  # visits has no stage, browse produces no metric
    assert "ShopCdnDown" not in impacts.of("disk").symptom_alert_names


def test_slos_burn_when_their_stages_are_affected(purchase_map):
    assert [s.name for s in purchase_map.of("database").slos] == [
        "checkout-success", "checkout-latency", "storefront-availability"]
    assert [s.name for s in purchase_map.of("payment_gateway").slos] == [
        "checkout-success", "checkout-latency", "storefront-availability"]


def test_journey_time_burns_only_when_background_work_is_affected(purchase_map):
    def journey_time_burns(name):
        return "order-completion" in [s.name for s in purchase_map.of(name).slos]

    assert journey_time_burns("rabbitmq") and journey_time_burns("celery-worker")
    # A failed checkout starts no journey: it burns the checkout SLOs, not the journey time.
    assert not journey_time_burns("database") and not journey_time_burns("payment_gateway")


def test_journey_time_burns_for_any_stage_when_nothing_runs_in_the_background():
    text = CHAIN_SPEC.replace("- {name: ship, profile: celery, match: {job: worker, task: ship}}",
                              "- {name: ship, profile: http, match: {job: api, handler: /ship}}")
    journey = parse_journey(text, "shop.yaml")
    assert "done-in-time" in [s.name for s in impact_map(journey).of("cdn").slos]
    assert "done-in-time" not in [s.name for s in impact_map(chain_journey()).of("cdn").slos]


def test_symptoms_are_the_alerts_of_affected_stages_slos_and_dependents(purchase_journey, purchase_map):
    alerts = {a.alert: a for a in all_alerts(purchase_journey)}
    database = purchase_map.of("database")
    assert set(database.symptom_alert_names) == {
        "PurchaseCheckoutSuccessErrorBudgetBurn", "PurchaseCheckoutLatencyErrorBudgetBurn",
        "PurchaseStorefrontAvailabilityErrorBudgetBurn", "HighCheckoutErrorRate", "SlowCheckoutPerformance",
        "PurchaseBrowseSliDataMissing", "PurchaseCheckoutSliDataMissing"}
    rabbitmq = purchase_map.of("rabbitmq")
    assert set(rabbitmq.symptom_alert_names) == {
        "PurchaseOrderSuccessErrorBudgetBurn", "PurchaseOrderCompletionErrorBudgetBurn", "HighJobFailureRate",
        "PurchaseCeleryWorkerDown", "PurchaseOrderProcessingSliDataMissing", "PurchaseJourneyTimeDataMissing"}
    for impact in purchase_map.impacts:
        assert impact.cause.alert not in impact.symptom_alert_names
        for symptom in impact.symptoms:
            assert symptom.alert in alerts  # only alerts that exist
            assert not alerts[symptom.alert].kind.startswith("saturation")  # a backlog is a cause of its own


def test_page_and_ticket_variants_share_one_symptom_entry(purchase_map):
    burn = next(a for a in purchase_map.of("database").symptoms if a.alert == "PurchaseCheckoutSuccessErrorBudgetBurn")
    assert burn.severities == ("page", "ticket") and burn.kind == "burn-rate"
    names = purchase_map.of("database").symptom_alert_names
    assert len(names) == len(set(names))


def test_business_metrics_drop_with_their_stage(purchase_map):
    checkout_metrics = ["album_purchases", "revenue", "orders", "customer_ltv"]
    assert [m.name for m in purchase_map.of("database").business] == checkout_metrics
    assert [m.name for m in purchase_map.of("payment_gateway").business] == checkout_metrics
    assert purchase_map.of("rabbitmq").business == ()


def test_causes_of_a_symptom_lists_every_dependency_that_explains_it(purchase_map):
    assert [i.dependency for i in purchase_map.causes_of("HighCheckoutErrorRate")] == ["database", "payment_gateway"]
    assert purchase_map.causes_of("PurchaseRabbitmqBacklogHigh") == ()


def test_the_map_is_a_pure_function_of_the_model(purchase_journey):
    first, second = impact_map(purchase_journey), impact_map(purchase_journey)
    assert first == second
    assert dataclasses.is_dataclass(first)
