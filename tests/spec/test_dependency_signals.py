"""Health signals that are not a 0/1 gauge, several saturation signals, runbook hints: what the spec
accepts, and every mistake as a positioned error."""

from __future__ import annotations

import pytest

from obsgen.build.load import parse_journey
from obsgen.errors import SpecError
from tests.spec_text import SHOP

HEAD = SHOP + """\
  dependencies:
    - name: kafka
      kind: other
      stages: [checkout]
"""


def journey(dependency: str):
    return parse_journey(HEAD + dependency, "shop.yaml")


def problems(dependency: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        journey(dependency)
    return [str(d) for d in caught.value.diagnostics]


def test_threshold_health_reads_as_one_up_value():
    dep = journey("      health: {metric: kafka_brokers, match: {job: kafka}, below: 3}\n").dependency("kafka")
    assert dep.health.form == "threshold"
    assert dep.health.up() == 'max(kafka_brokers{job="kafka"} >= bool 3) or vector(0)'
    assert dep.health.healthy() == 'kafka_brokers{job="kafka"} >= 3'


def test_a_healthy_range_needs_both_comparisons():
    dep = journey("      health: {metric: clock_offset, match: {job: node}, below: -0.05, above: 0.05}\n").dependency("kafka")
    assert dep.health.up() == ('max((clock_offset{job="node"} >= bool -0.05) * (clock_offset{job="node"} <= bool 0.05))'
                               ' or vector(0)')


def test_heartbeat_is_down_when_the_series_stopped_changing():
    dep = journey("      health: {heartbeat: {metric: jobs_total, match: {job: worker}, window: 10m}}\n").dependency("kafka")
    assert dep.health.form == "heartbeat"
    assert dep.health.up() == 'max(changes(jobs_total{job="worker"}[10m]) > bool 0) or vector(0)'


def test_a_plain_gauge_keeps_its_expression():
    dep = journey("      health: {metric: kafka_up, match: {job: kafka}}\n").dependency("kafka")
    assert dep.health.up() == 'max(kafka_up{job="kafka"}) or vector(0)'


@pytest.mark.parametrize("health", ["{profile: scrape}", "{metric: up}"])
def test_bare_up_is_refused_with_advice(health):
    assert problems(f"      health: {health}\n") == [
        "shop.yaml:17:15: health signal up has no label matchers: it reads every scrape target of the Prometheus "
        "and reports down only when all of them are; select this dependency's targets, e.g. match: {job: kafka}"]


def test_an_empty_healthy_range_is_refused():
    assert problems("      health: {metric: kafka_brokers, below: 3, above: 1}\n") == [
        "shop.yaml:17:46: health is unhealthy below 3 and above 1: no value is healthy"]


def test_a_threshold_needs_a_metric_of_its_own():
    assert problems("      health: {profile: postgresql, below: 3}\n") == [
        "shop.yaml:17:44: a health threshold (below/above) needs the gauge it applies to: give health.metric"]


def test_a_heartbeat_comes_alone():
    assert problems("      health: {metric: x, heartbeat: {metric: jobs_total}}\n") == [
        "shop.yaml:17:38: a heartbeat is the whole health signal: give it alone, without profile, metric, match, "
        "below or above"]


def test_a_heartbeat_window_must_hold_two_scrapes():
    assert problems("      health: {heartbeat: {metric: jobs_total, match: {job: w}, window: 20s}}\n") == [
        "shop.yaml:17:73: heartbeat window 20s holds fewer than two scrapes (scrapeInterval 15s), so no change "
        "could ever be seen in it"]


SATURATIONS = """\
      health: {metric: kafka_brokers, match: {job: kafka}, below: 3}
      saturation:
        - name: lag
          metric: kafka_consumergroup_lag
          threshold: 1000
          predict: {range: 30m, ahead: 1h}
        - name: partitions
          title: under-replicated share
          ratio:
            numerator: {metric: kafka_topic_partition_under_replicated_partition}
            denominator: {metric: kafka_topic_partitions}
          threshold: 0.1
"""


def test_several_saturation_signals_have_stable_names_of_their_own():
    dep = journey(SATURATIONS).dependency("kafka")
    assert [s.alert_names for s in dep.saturations] == [
        ("ShopKafkaLagHigh", "ShopKafkaLagPredictedHigh"), ("ShopKafkaPartitionsHigh",)]
    ratio = dep.saturations[1]
    assert ratio.value() == "sum(kafka_topic_partition_under_replicated_partition) / sum(kafka_topic_partitions)"
    assert dep.alert_names == ("ShopKafkaDown", "ShopKafkaLagHigh", "ShopKafkaLagPredictedHigh",
                               "ShopKafkaPartitionsHigh")


def test_one_saturation_signal_keeps_the_backlog_names(purchase_journey):
    rabbitmq = purchase_journey.dependency("rabbitmq")
    assert [s.alert_names for s in rabbitmq.saturations] == [
        ("PurchaseRabbitmqBacklogHigh", "PurchaseRabbitmqBacklogPredictedHigh")]
    assert rabbitmq.saturations[0].value() == 'max(rabbitmq_queue_messages_ready{queue="orders"})'


def test_two_saturation_signals_of_one_name_are_refused():
    text = SATURATIONS.replace("name: partitions", "name: lag")
    assert problems(text) == [
        "shop.yaml:23:17: dependency 'kafka' has two saturation signals named 'lag'; give each a name of its own "
        "(it names their alerts)"]


def test_a_signal_name_that_would_take_anothers_alert_name_is_refused():
    text = SATURATIONS.replace("name: partitions", "name: lag-predicted")
    assert problems(text) == [
        "shop.yaml:23:17: saturation 'lag-predicted' would raise ShopKafkaLagPredictedHigh, which another "
        "saturation signal of 'kafka' raises too; rename one"]


def test_a_ratio_cannot_be_predicted_nor_be_a_gauge_at_once():
    text = SATURATIONS.replace("          threshold: 0.1\n", "          threshold: 0.1\n          metric: x\n"
                                                                    "          predict: {}\n")
    assert problems(text) == [
        "shop.yaml:23:11: saturation 'partitions' needs exactly one of metric (a gauge) or ratio",
        "shop.yaml:30:20: predict extrapolates one gauge; a ratio cannot be predicted (drop predict, or predict "
        "the numerator as a gauge signal of its own)"]


@pytest.mark.parametrize("bad", ["a\\nb", "a\\rb", "a\\u2028b", "a\\x1bb", "a\\u202eb", "a\\u2066b"])
def test_runbook_hints_are_one_line_without_control_characters(bad):
    text = f'      health: {{metric: kafka_up, match: {{job: kafka}}}}\n      runbook: {{notes: "{bad}"}}\n'
    assert problems(text) == [
        f"shop.yaml:18:24: spec.dependencies[0].runbook.notes: {parse_value(bad)!r} is not one line of text without "
        f"control characters or bidirectional overrides (it is shown in the runbook)"]


def parse_value(escaped: str) -> str:
    import yaml
    return yaml.safe_load(f'"{escaped}"')
