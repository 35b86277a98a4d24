"""`obsgen drill` on the live native stack: PostgreSQL and the payment gateway, dependencies of the purchase
journey, each stopped under traffic, one drill after the other on the stack `obsgen verify` is tested on, never
restarted: the second drill starts on what the first left (back to back). RabbitMQ and the Celery worker are
drilled back to back on a stack of their own beside these (tests/live/queue/).

The drill is held against specs/purchase.yaml itself, built (as the live stack is) together with the
catalogue journey: PostgreSQL is a shared dependency, so its cause alert is the fleet's DatabaseDown,
without a journey label, and the drill watches both journeys through one outage and proves it inhibits
each journey's symptoms (a fleet drill: a JSON report per journey). Against the seed's own map the
PostgreSQL drill exits 1, as it should: a PostgreSQL outage also fails the worker's tasks (HighJobFailureRate,
order-success SLO); the spec's dependency stages say so now.
"""

from __future__ import annotations

import pytest

from tests.conftest import PURCHASE_SPEC
from tests.live.drills import assert_generated_rules_are_back, assert_matches_impact_map, drill

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_postgresql_drill_matches_the_impact_map_of_every_journey_that_shares_it(live_stack):
    """PostgreSQL is shared by the fleet's journeys: one outage, each journey judged against its own map."""
    code, report = drill(live_stack, PURCHASE_SPEC, "database", "HighCheckoutErrorRate",
                         "PurchaseCheckoutSuccessErrorBudgetBurn", "PurchaseStorefrontAvailabilityErrorBudgetBurn")
    assert report["service"] == "postgres" and report["cause"] == "DatabaseDown"
    assert [j["journey"] for j in report["journeys"]] == ["purchase", "catalogue"]
    for journey in report["journeys"]:
        assert_matches_impact_map(code, {**report, **journey}, "DatabaseDown")
        assert journey["companion"] == f"{journey['journey'].capitalize()}DatabaseRecentlyDown"
    assert_generated_rules_are_back(live_stack)


def test_payment_gateway_drill_right_after_the_postgresql_drill_matches_the_impact_map(live_stack):
    code, report = drill(live_stack, PURCHASE_SPEC, "payment_gateway", "HighCheckoutErrorRate",
                         "PurchaseCheckoutSuccessErrorBudgetBurn")
    assert report["service"] == "payment-gateway"
    assert_matches_impact_map(code, report, "PurchasePaymentGatewayDown")
    assert_generated_rules_are_back(live_stack)
