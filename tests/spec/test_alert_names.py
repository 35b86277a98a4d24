"""Two alerts may never share a name: they would share one runbook section, one rule test and one
inhibition, and an on-call engineer could not tell which fired."""

from __future__ import annotations

from obsgen.build.load import parse_journey
from tests.spec_text import METADATA, problems

TWO_STAGES = METADATA + """\
  stages:
    - name: cart
      profile: http
      match: {handler: /cart}
      alerts:
        errorRate: {name: ShopErrors, threshold: 0.05}
    - name: checkout
      profile: http
      match: {handler: /checkout}
      alerts:
        errorRate: {name: ShopErrors, threshold: 0.05}
"""


def test_two_stages_given_the_same_alert_name_is_a_positioned_error():
    assert problems(TWO_STAGES) == [
        "shop.yaml:19:27: alert name 'ShopErrors' is already given to another alert (line 14, column 27); "
        "choose another"]


def test_an_explicit_name_equal_to_a_derived_one_is_a_positioned_error():
    # The checkout stage's error-rate alert is named ShopCheckoutHighErrorRate by default.
    text = TWO_STAGES.replace("{name: ShopErrors, threshold: 0.05}\n    - name: checkout",
                              "{name: ShopCheckoutHighErrorRate, threshold: 0.05}\n    - name: checkout", 1)
    text = text.replace("errorRate: {name: ShopErrors, threshold: 0.05}\n", "errorRate: {threshold: 0.05}\n")
    assert problems(text) == [
        "shop.yaml:14:27: alert name 'ShopCheckoutHighErrorRate' is also the name obsgen gives another alert; "
        "choose another"]


def test_an_slo_alert_named_like_a_stage_alert_is_refused():
    text = TWO_STAGES.replace("{name: ShopErrors, threshold: 0.05}\n    - name: checkout",
                              "{threshold: 0.05}\n    - name: checkout", 1) + """\
  slos:
    - name: checkout-success
      type: availability
      stages: [checkout]
      objective: 99.5
      alerting: {name: ShopErrors}
"""
    found = problems(text)
    assert len(found) == 1 and "alert name 'ShopErrors' is already given to another alert" in found[0], found


def test_distinct_names_load():
    journey = parse_journey(TWO_STAGES.replace("ShopErrors, threshold", "ShopCartErrors, threshold", 1), "shop.yaml")
    assert [s.error_rate_alert.name for s in journey.stages] == ["ShopCartErrors", "ShopErrors"]
