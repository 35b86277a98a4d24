"""Assemble the promtool rule unit-test file for a journey (`promtool test rules` format)."""

from __future__ import annotations

from obsgen.model import Journey
from obsgen.promql import format_duration
from obsgen.rules import ALERTING_FILE, RECORDING_FILE, rule_groups
from obsgen.ruletests.notation import compress
from obsgen.ruletests.recording import RecordingExpectations
from obsgen.ruletests.scenarios import Scenario, scenarios
from obsgen.ruletests.world import World

TESTS_DIR = "tests"
RULES_DIR = "prometheus"
EVALUATION_INTERVAL = "1m"
RECORDING_GROUP = "recording rules on known inputs: 10 of 1000 requests fail, latencies spread over every bucket"


def rule_test_path(journey: Journey) -> str:
    return f"{TESTS_DIR}/{journey.name}.tests.yaml"


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


def rule_test_document(journey: Journey) -> dict:
    groups = rule_groups(journey)
    return {
        "rule_files": [f"../{RULES_DIR}/{RECORDING_FILE}", f"../{RULES_DIR}/{ALERTING_FILE}"],
        "evaluation_interval": EVALUATION_INTERVAL,
        # Recording rules before the alerts that read them, as a real server converges to.
        "group_eval_order": [g.name for g in groups if g.file == RECORDING_FILE]
        + [g.name for g in groups if g.file == ALERTING_FILE],
        "tests": [recording_group(journey)] + [scenario_group(s) for s in scenarios(journey)],
    }
