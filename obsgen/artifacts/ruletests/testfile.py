"""Assemble the promtool rule unit-test file for a journey (`promtool test rules` format)."""

from __future__ import annotations

import dataclasses

from obsgen.artifacts.layout import RULES_DIR, TEST_FILE_SUFFIX, TESTS_DIR
from obsgen.artifacts.prometheus import (ALERTING_FILE, RECORDING_FILE, SHARED_FILE, RuleGroup, fleet_rule_groups,
                                         journey_alerts, rule_groups)
from obsgen.artifacts.ruletests import extent
from obsgen.artifacts.ruletests.notation import compress
from obsgen.artifacts.ruletests.recording import RecordingExpectations
from obsgen.artifacts.ruletests.recovery import recovery_scenarios
from obsgen.artifacts.ruletests.scenarios import Scenario, decidable_alerts, scenarios
from obsgen.artifacts.ruletests.varying_traffic import MINUTES, varying_traffic_group
from obsgen.artifacts.ruletests.world import World
from obsgen.model import Fleet, Journey
from obsgen.promql import format_duration

EVALUATION_INTERVAL = "1m"
RECORDING_GROUP = "recording rules on known inputs: 10 of 1000 requests fail, latencies spread over every bucket"


SHARED_WORLD = "shared-dependencies"
SHARED_TEST_PATH = f"{TESTS_DIR}/{SHARED_WORLD}{TEST_FILE_SUFFIX}"


def rule_test_path(journey: Journey) -> str:
    return f"{TESTS_DIR}/{journey.name}{TEST_FILE_SUFFIX}"


def _minutes(step: int) -> str:
    return format_duration(step * 60)


def input_series(world: World, steps: int) -> list[dict]:
    return [{"series": s.promql_labels(), "values": compress(s.samples[: steps + 1])} for s in world.series]


def recording_group(journey: Journey) -> dict:
    expectations = RecordingExpectations(journey)
    return {
        "name": RECORDING_GROUP,
        "interval": EVALUATION_INTERVAL,
        "input_series": input_series(expectations.world, expectations.step),
        "promql_expr_test": [
            {"expr": s.expr, "eval_time": _minutes(expectations.step),
             "exp_samples": [{"labels": s.labels, "value": s.value}]}
            for s in expectations.samples()
        ],
    }


def scenario_group(scenario: Scenario) -> dict:
    tests = []
    for step, name in scenario.checks:
        expected = scenario.timeline.expected(name, step)
        tests.append({
            "eval_time": _minutes(step),
            "alertname": name,
            "exp_alerts": [{"exp_labels": dict(e.labels), "exp_annotations": dict(e.annotations)} for e in expected],
        })
    return {
        "name": scenario.name,
        "interval": EVALUATION_INTERVAL,
        "input_series": input_series(scenario.world, scenario.horizon),
        "alert_rule_test": tests,
    }


def test_document(groups: list[RuleGroup], files: list[str], tests: list[dict]) -> dict:
    return {
        "rule_files": [f"../{RULES_DIR}/{file}" for file in files],
        "evaluation_interval": EVALUATION_INTERVAL,
        # Recording rules before the alerts that read them, as a real server converges to.
        "group_eval_order": [g.name for file in files for g in groups if g.file == file],
        "tests": tests,
    }


def rule_test_document(journey: Journey) -> dict:
    varying, after_causes = None, []
    if extent.extended():
        varying = varying_traffic_group(journey, input_series, _minutes(MINUTES), EVALUATION_INTERVAL)
        after_causes = recovery_scenarios(journey, decidable_alerts(journey, journey_alerts(journey)))
    return test_document(rule_groups(journey), [RECORDING_FILE, ALERTING_FILE],
                         [recording_group(journey)] + ([varying] if varying else [])
                         + [scenario_group(s) for s in scenarios(journey) + after_causes])


def shared_rule_test_document(fleet: Fleet) -> dict:
    """The shared dependencies' alerts, proven like a journey's: a world of their signals only."""
    groups = fleet_rule_groups(fleet)
    alerts = [rule for group in groups for rule in group.rules]
    return test_document(groups, [SHARED_FILE], [scenario_group(s) for s in scenarios(shared_world(fleet), alerts)])


def shared_world(fleet: Fleet) -> Journey:
    """A journey with no stages whose dependencies are the fleet's shared ones (under their shared
    names): what the scenarios need to write the signals and work out when each alert fires."""
    deps = {d.name: d for j in fleet.journeys for d in j.dependencies if d.shared is not None}
    return dataclasses.replace(fleet.journeys[0], name=SHARED_WORLD, stages=(), slos=(), journey_time=None,
                               business=(), dependencies=tuple(deps[name] for name in sorted(deps)),
                               dims=())  # shared dependencies' alerts are not per dimension
