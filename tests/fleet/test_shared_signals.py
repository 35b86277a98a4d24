"""Shared dependencies with the new health and saturation forms: journeys must declare them alike, and
the shared alerts keep stable names and are proven by the shared rule tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from obsgen.build import pipeline
from obsgen.build.load import parse_journey
from obsgen.errors import SpecError
from obsgen.spec.fleet import resolve_fleet

KAFKA = """\
    - name: kafka
      kind: other
      health: {metric: kafka_brokers, match: {job: kafka-exporter}, below: 3}
      saturation:
        - {name: lag, metric: kafka_consumergroup_lag, match: {consumergroup: shop}, threshold: 1000, predict: {}}
        - name: under-replicated
          ratio:
            numerator: {metric: kafka_topic_partition_under_replicated_partition, match: {job: kafka-exporter}}
            denominator: {metric: kafka_topic_partitions, match: {job: kafka-exporter}}
          threshold: 0.2
      stages: [{stage}]
    - name: mailer
      kind: service
      health: {heartbeat: {metric: mailer_sent_total, match: {job: mailer}, window: 10m}}
      stages: [{stage}]
"""


def spec(name: str, stage: str, kafka: str = KAFKA) -> str:
    return f"""\
apiVersion: obsgen/v1
kind: Journey
metadata:
  name: {name}
  service: {name}
  team: core
  runbookBaseUrl: https://runbooks.example.com/core
spec:
  stages:
    - name: {stage}
      profile: http
      match: {{job: {name}, handler: /{stage}}}
  dependencies:
""" + kafka.replace("{stage}", stage)


def fleet(*texts: str):
    return resolve_fleet([parse_journey(text, f"{i}.yaml") for i, text in enumerate(texts)])


def test_shared_signals_alert_once_under_journey_free_names():
    shared = {d.name: d for d in fleet(spec("cart", "add"), spec("orders", "place")).shared}
    assert shared["kafka"].alert_names == ("KafkaDown", "KafkaLagHigh", "KafkaLagPredictedHigh",
                                           "KafkaUnderReplicatedHigh")
    assert shared["mailer"].health.up() == 'max(changes(mailer_sent_total{job="mailer"}[10m]) > bool 0) or vector(0)'


@pytest.mark.parametrize("change, here, there", [
    ("below: 3", "health signal kafka_brokers{job=\"kafka-exporter\"} >= 2", "kafka_brokers{job=\"kafka-exporter\"} >= 3"),
    ("window: 10m", "health signal changes(mailer_sent_total{job=\"mailer\"}[5m]) > 0",
     "changes(mailer_sent_total{job=\"mailer\"}[10m]) > 0"),
    ("threshold: 0.2", "other saturation signals", "its own"),
])
def test_shared_dependencies_declared_two_ways_are_refused(change: str, here: str, there: str):
    other = KAFKA.replace(change, {"below: 3": "below: 2", "window: 10m": "window: 5m",
                                   "threshold: 0.2": "threshold: 0.5"}[change])
    with pytest.raises(SpecError) as error:
        fleet(spec("cart", "add"), spec("orders", "place", other))
    messages = [d.message for d in error.value.diagnostics]
    assert len(messages) == 1
    assert messages[0].endswith(f"is declared here with {here}, but at {messages[0].split(' at ')[1].split(' with ')[0]} "
                                f"with {there}: journeys that share a dependency must declare it alike "
                                f"(rename one if they are two systems)")


def test_one_threshold_signal_under_two_names_is_refused():
    renamed = KAFKA.replace("- name: kafka\n", "- name: brokers\n")
    with pytest.raises(SpecError) as error:
        fleet(spec("cart", "add"), spec("orders", "place", renamed))
    assert any("watches kafka_brokers{job=\"kafka-exporter\"} >= 3, which" in d.message for d in error.value.diagnostics)


@pytest.mark.integration
def test_shared_signals_are_proven_by_the_shared_rule_tests(tmp_path: Path):
    specs = []
    for name, stage in (("cart", "add"), ("orders", "place")):
        path = tmp_path / f"{name}.yaml"
        path.write_text(spec(name, stage))
        specs.append(path)
    out = tmp_path / "generated"
    pipeline.build_fleet(specs, out)  # validates and runs every rule test, the shared ones included
    tests = yaml.safe_load((out / "_fleet" / "tests" / "shared-dependencies.tests.yaml").read_text())["tests"]
    names = " ".join(group["name"] for group in tests)
    for alert in ("KafkaDown [page]", "KafkaLagHigh [ticket]", "KafkaLagPredictedHigh [ticket]",
                  "KafkaUnderReplicatedHigh [ticket]", "MailerDown [page]"):
        assert alert in names
