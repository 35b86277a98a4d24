"""The generated rule tests hold on both Prometheus generations: 3.x (the primary target, built by
scripts/go-tools) and Debian's 2.42.

Each generation builds the specs with the promtool it runs (so the simulator follows that
promtool's range maths) and then runs the generated tests with it. Outside CI a generation that
is not installed skips its tests; in CI (CI=true) it fails them, so a missing toolchain cannot
pass for a proven one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from obsgen.artifacts.ruletests import generation, runner
from obsgen.artifacts.ruletests.promsim import Sim
from obsgen.artifacts.ruletests.world import Series, World
from obsgen.build.pipeline import build_fleet
from obsgen.errors import ObsgenError
from obsgen.promql import Selector
from obsgen.tools import go_tool, promtool
from tests.conftest import PURCHASE_SPEC, ROOT

DEBIAN_PROMTOOL = "/usr/bin/promtool"
# The reference journey alone; every spec the project and the fleet tests hold, built as one fleet; and the
# example journeys of public systems (`obsgen build specs/examples/`), with the rule kinds the
# simulator models (time-slice SLOs, failures counts, ratio saturation, raw-PromQL SLIs); and the journey
# with every kind of dependency signal (heartbeats' changes(), healthy ranges, predicted saturation).
SPEC_SETS = {"purchase": [PURCHASE_SPEC],
             "fleet": sorted([*(ROOT / "specs").glob("*.yaml"), *(ROOT / "tests" / "fleet" / "specs").glob("*.yaml")]),
             "examples": sorted((ROOT / "specs" / "examples").glob("*.yaml")),
             "signals": [ROOT / "tests" / "ruletests" / "dependency_signals.yaml"]}


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def version_of(binary: str) -> str:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False).stdout
    return out.split("version", 1)[1].split()[0] if "version" in out else ""


def promtool_of_generation(major: int) -> str:
    """A promtool binary of that generation: the pinned Go build (3) or Debian's (2)."""
    candidates = [go_tool("promtool"), DEBIAN_PROMTOOL, shutil.which("promtool")]
    for binary in filter(None, candidates):
        if Path(binary).is_file() and version_of(binary).startswith(f"{major}."):
            return binary
    how = "scripts/go-tools install promtool" if major == 3 else "apt-get install prometheus"
    message = f"no promtool {major}.x installed ({how}; scripts/bootstrap --test installs both)"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def build_and_test(specs: list[Path], out: Path) -> list[str]:
    """Build with the rule tests written for and run by $OBSGEN_PROMTOOL; the failures, if any."""
    try:
        build_fleet(specs, out)
    except ObsgenError as error:
        return [str(error)]
    return []


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize("spec_set", sorted(SPEC_SETS))
def test_generated_rule_tests_pass_on_both_generations(spec_set, tmp_path, monkeypatch):
    binaries = {major: promtool_of_generation(major) for major in generation.GENERATIONS}
    outcomes = {}
    for major, binary in binaries.items():
        monkeypatch.setenv(promtool.ENV_VAR, binary)
        assert generation.detected() == major
        outcomes[major] = build_and_test(SPEC_SETS[spec_set], tmp_path / f"prometheus-{major}")
    passed = {major: not failures for major, failures in outcomes.items()}
    assert len(set(passed.values())) == 1, f"the generations disagree on {spec_set}: {outcomes}"
    assert all(passed.values()), f"{spec_set}: {outcomes}"


@pytest.mark.integration
@pytest.mark.parametrize(("written_for", "run_on"), [(2, 3), (3, 2)])
def test_tests_written_for_one_generation_are_told_apart_by_the_other(written_for, run_on, tmp_path, monkeypatch):
    """The semantics matter: each generation's range maths gives values the other's promtool rejects,
    so passing on both above is not an accident of insensitive tests. The build writes the tests for
    one generation without running them (a build validates with the local promtool's generation)."""
    build_fleet([PURCHASE_SPEC], tmp_path, validate=False, prometheus_version=written_for)
    monkeypatch.setenv(promtool.ENV_VAR, promtool_of_generation(run_on))
    report = runner.run(sorted((tmp_path / "purchase" / "tests").glob("*.tests.yaml")))  # scoped, as builds run them
    assert report.failures, f"tests written for Prometheus {written_for} passed on promtool {run_on}"


@pytest.mark.integration
def test_the_suites_promtool_is_prometheus_3():
    """Tests that run promtool without choosing one run the primary target's."""
    reported = promtool.version()
    if not reported.startswith("3.") and not in_ci():
        pytest.skip(f"promtool {reported} is the default here (scripts/go-tools install promtool)")
    assert reported.startswith("3."), reported


def test_the_generation_comes_from_the_version_promtool_reports():
    assert generation.of_version("2.42.0+ds") == 2
    assert generation.of_version("3.16.0") == 3
    with pytest.raises(generation.UnknownGeneration):
        generation.of_version("")
    with pytest.raises(generation.UnknownGeneration):
        generation.of_version("1.8.2")


def test_the_option_overrides_the_detected_generation(monkeypatch, tmp_path):
    monkeypatch.setenv(promtool.ENV_VAR, str(tmp_path / "missing"))
    with generation.targeting(2):
        assert generation.current() == 2
    with pytest.raises(generation.UnknownGeneration):
        with generation.targeting(4):
            pass


@pytest.mark.integration
@pytest.mark.parametrize("major", generation.GENERATIONS)
def test_predict_linear_sums_as_each_generation_does(major, tmp_path, monkeypatch):
    """linearRegression compensates its sums (Kahan-Neumaier) in 2.42 and 3.x alike: on 0, 0.1, ..., 1 a
    minute apart, plain sums predict 7.000000000000002 an hour ahead, compensated ones exactly 7, and
    promtool compares the expected value to the last bit."""
    values = [0.1 * k for k in range(11)]
    sim = Sim(World(len(values), [Series({"__name__": "x"}, values)]), major)
    (expected,) = sim.predict_linear(Selector("x"), 10, 600, 3600)
    assert expected == 7.0
    test = {"rule_files": [], "evaluation_interval": "1m", "tests": [{
        "interval": "1m",
        "input_series": [{"series": "x", "values": " ".join(map(repr, values))}],
        "promql_expr_test": [{"expr": "predict_linear(x[10m], 3600)", "eval_time": "10m",
                              "exp_samples": [{"labels": "{}", "value": expected}]}],
    }]}
    path = tmp_path / "predict.tests.yaml"
    path.write_text(yaml.safe_dump(test))
    monkeypatch.setenv(promtool.ENV_VAR, promtool_of_generation(major))
    assert promtool.test_rules([path]).failures == ()
    test["tests"][0]["promql_expr_test"][0]["exp_samples"][0]["value"] = 7.000000000000002
    path.write_text(yaml.safe_dump(test))
    assert promtool.test_rules([path]).failures != ()
