"""The generated rule tests of a journey with spec.by: every input series of the world carries the
dimension (value a), every per-dimension expectation carries it too, and promtool agrees."""

from __future__ import annotations

import pytest

from obsgen.artifacts.prometheus import all_alerts
from obsgen.artifacts.ruletests.testfile import rule_test_document
from obsgen.build.load import parse_journey
from tests.rules.test_dimensions import SPEC


@pytest.fixture(scope="module")
def journey():
    return parse_journey(SPEC, "shop.yaml")


@pytest.fixture(scope="module")
def document(journey):
    return rule_test_document(journey)


def test_every_input_series_carries_the_dimension(document):
    series = [s["series"] for test in document["tests"] for s in test["input_series"]]
    assert series and all('cluster="a"' in s for s in series)


def test_expected_alerts_name_the_cluster_except_absent_data(journey, document):
    kinds = {(a.alert, a.severity): a.kind for a in all_alerts(journey)}
    seen = set()
    for test in document["tests"]:
        for check in test.get("alert_rule_test", []):
            for alert in check["exp_alerts"]:
                labels = alert["exp_labels"]
                kind = kinds[(check["alertname"], labels["severity"])]
                if kind == "absent":  # absent() has no series to take a cluster from
                    assert "cluster" not in labels
                    continue
                assert labels.get("cluster") == "a", (check["alertname"], labels)
                assert alert["exp_annotations"]["summary"].endswith(" [cluster a]")
                seen.add(kind)
    assert {"burn-rate-page", "burn-rate-ticket", "error-rate", "latency", "saturation", "dependency-down"} <= seen


def test_recorded_samples_carry_the_cluster_except_slo_constants(document):
    samples = [s["labels"] for test in document["tests"] for check in test.get("promql_expr_test", [])
               for s in check["exp_samples"]]
    constants = ("slo:objective:ratio", "slo:error_budget:ratio", "slo:time_period:days", "slo:burn_rate_threshold:ratio")
    assert samples
    for labels in samples:
        assert ('cluster="a"' in labels) != labels.startswith(constants), labels


@pytest.mark.integration
def test_promtool_passes_the_generated_tests(journey, tmp_path):
    from obsgen.artifacts.prometheus.emit import emit_rules
    from obsgen.artifacts.ruletests.emit import emit_rule_tests
    from obsgen.tools import promtool

    for artifact in emit_rules(journey) + emit_rule_tests(journey):
        path = tmp_path / artifact.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(artifact.content)
    tests = sorted(tmp_path.glob("tests/*.tests.yaml"))
    assert tests
    result = promtool.test_rules(tests)
    assert result.passed, "\n".join(f.text for f in result.failures[:3])
