"""The long generated scenarios builds leave out (obsgen/ruletests/extent.py) — varying traffic and the
low-traffic guard — written for the reference journey and a real system's journey and held to the
real rules by promtool of both generations, as the build holds its own scenarios."""

from __future__ import annotations

import subprocess

import pytest

from obsgen.emitters.prometheus import emit_rules
from obsgen.emitters.ruletests import emit_rule_tests
from obsgen.ruletests import extent, generation
from obsgen.spec.loader import load_journey
from tests.conftest import PURCHASE_SPEC, ROOT
from tests.ruletests.test_generations import promtool_of_generation

LONG_SCENARIOS = ("SLO-window ratios on varying traffic", "low traffic")


def write_build(spec, directory, major: int) -> list[str]:
    journey = load_journey(spec)
    with generation.targeting(major), extent.extended_scenarios():
        artifacts = emit_rules(journey) + emit_rule_tests(journey)
    for artifact in artifacts:
        path = directory / artifact.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(artifact.content)
    return [a.path for a in artifacts if a.path.endswith(".tests.yaml")]


def test_builds_leave_the_long_scenarios_out_and_the_suite_writes_them():
    journey = load_journey(PURCHASE_SPEC)
    plain = emit_rule_tests(journey)[0].content
    with extent.extended_scenarios():
        extended = emit_rule_tests(journey)[0].content
    assert not any(name in plain for name in LONG_SCENARIOS)
    assert all(name in extended for name in LONG_SCENARIOS)


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize("major", [3, 2])
@pytest.mark.parametrize("spec", [PURCHASE_SPEC, ROOT / "specs/examples/otel-demo-checkout.yaml"], ids=lambda p: p.stem)
def test_the_long_scenarios_pass_on_the_real_rules(spec, major, tmp_path):
    binary = promtool_of_generation(major)
    tests = write_build(spec, tmp_path, major)
    result = subprocess.run([binary, "test", "rules", *tests], cwd=tmp_path, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
