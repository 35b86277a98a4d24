"""The long generated scenarios builds leave out (obsgen/artifacts/ruletests/extent.py) — varying traffic, the low-traffic
guard, recovery after a cause — written for the reference journey and a real system's journey and held to the
real rules by promtool of both generations, as the build holds its own scenarios."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from obsgen.artifacts.prometheus.emit import emit_rules
from obsgen.artifacts.ruletests import extent, generation, runner
from obsgen.artifacts.ruletests.emit import emit_rule_tests
from obsgen.build.load import load_journey
from tests.conftest import PURCHASE_SPEC, ROOT
from tests.ruletests.test_generations import promtool_of_generation

LONG_SCENARIOS = ("SLO-window ratios on varying traffic", "low traffic", "after the cause")


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


SPECS = [PURCHASE_SPEC, ROOT / "specs/examples/otel-demo-checkout.yaml"]


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_obsgen_test_extended_runs_the_long_scenarios_on_the_real_rules(spec, tmp_path):
    """What a user runs (say, nightly) to hold a journey to the long scenarios too: on Prometheus 3, more
    scenarios than the build's own (the committed tests), all passing."""
    result = subprocess.run([sys.executable, "-m", "obsgen", "-q", "test", "--extended", str(spec)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=900,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "OBSGEN_PROMTOOL": promtool_of_generation(3)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    extended = sum(int(n) for n in re.findall(r"(\d+) scenarios, \d+ assertions passed", result.stdout))
    assert extended > committed_scenarios(load_journey(spec).name) > 0


def committed_scenarios(journey: str) -> int:
    """Test groups of the journey's committed rule tests (generated/ or generated/examples/)."""
    files = [*(ROOT / "generated").glob(f"{journey}/tests/*.tests.yaml"),
             *(ROOT / "generated/examples").glob(f"{journey}/tests/*.tests.yaml")]
    return sum(len(yaml.safe_load(f.read_text(encoding="utf-8"))["tests"]) for f in files)


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_the_long_scenarios_pass_unscoped_on_prometheus_2(spec, tmp_path):
    """The files' test groups as written, straight to Debian's promtool 2.42 (no scoping, no obsgen runner):
    every group loads every rule file. promtool runs a file's groups one after the other, so the groups are
    shared out over files of their own, one promtool per core."""
    major = 2
    binary = promtool_of_generation(major)
    tests = [tmp_path / name for name in write_build(spec, tmp_path, major)]
    cores = os.cpu_count() or 1
    parts = [part for test in tests for part in shared_out(test, cores)]
    with ThreadPoolExecutor(max_workers=cores) as pool:
        results = list(pool.map(lambda part: subprocess.run([binary, "test", "rules", part], cwd=tmp_path,
                                                            capture_output=True, text=True, timeout=900), parts))
    for result in results:
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def shared_out(test: Path, parts: int) -> list[Path]:
    """The file's groups in `parts` files beside it (same rule_files), longest group first into the lightest."""
    document = yaml.safe_load(test.read_text())
    groups = document["tests"]
    shares: list[list[dict]] = [[] for _ in range(min(parts, len(groups)))]
    load = [0.0] * len(shares)
    for group in sorted(groups, key=lambda g: -runner.evaluated_seconds(g)):
        lightest = load.index(min(load))
        shares[lightest].append(group)
        load[lightest] += runner.evaluated_seconds(group)
    written = []
    for index, share in enumerate(shares):
        part = test.with_name(f"{test.stem}.part{index}.yaml")
        part.write_text(yaml.safe_dump({**document, "tests": share}, sort_keys=False))
        written.append(part)
    return written
