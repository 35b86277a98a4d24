"""The generated varying-traffic group: every event-counted SLO's window ratio within 1% of the exact ratio
of the counters' increases, on the reference journey and on real systems' journeys, with both promtools."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from obsgen.artifacts.prometheus import RECORDING_FILE, rule_groups
from obsgen.artifacts.prometheus.emit import emit_rules
from obsgen.artifacts.ruletests import testfile, varying_traffic as vt
from obsgen.artifacts.ruletests.promsim import Sim
from obsgen.artifacts.ruletests.reference import Reference
from obsgen.build.load import load_journey
from tests.conftest import PURCHASE_SPEC, ROOT
from tests.ruletests.test_generations import promtool_of_generation

SPECS = [PURCHASE_SPEC, ROOT / "specs/examples/etcd-kv.yaml", ROOT / "specs/examples/otel-demo-checkout.yaml"]


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_events_not_time_tell_the_window_ratio(spec):
    """The simulated rule lands within the tolerance; a time average of the 5m ratios would not."""
    journey = load_journey(spec)
    world = vt.world(journey)
    reference, sim = Reference(journey, world, strict=False), Sim(world)
    assert vt.event_slos(journey)
    for slo in vt.event_slos(journey):
        exact = vt.exact_ratio(journey, slo, sim)
        assert abs(reference.sli(slo, slo.window, vt.MINUTES) / exact - 1) < vt.TOLERANCE
        ratios = [r for k in range(vt.MINUTES + 1) if (r := reference.sli(slo, 300.0, k)) is not None]
        assert abs(sum(ratios) / len(ratios) / exact - 1) > 10 * vt.TOLERANCE


@pytest.mark.integration
@pytest.mark.parametrize("major", [3, 2])
@pytest.mark.parametrize("spec", SPECS[:2], ids=lambda p: p.stem)
def test_promtool_agrees_with_the_exact_ratio(spec, major, tmp_path):
    binary = promtool_of_generation(major)
    journey = load_journey(spec)
    group = vt.varying_traffic_group(journey, testfile.input_series, "5h", testfile.EVALUATION_INTERVAL)
    (tmp_path / "prometheus").mkdir()
    for artifact in emit_rules(journey):
        (tmp_path / "prometheus" / artifact.path.split("/")[-1]).write_text(artifact.content)
    document = testfile.test_document(rule_groups(journey), [RECORDING_FILE], [group])
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "varying.tests.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    result = subprocess.run([binary, "test", "rules", "varying.tests.yaml"], cwd=tmp_path / "tests",
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
