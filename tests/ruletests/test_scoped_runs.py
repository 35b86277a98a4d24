"""Scoping changes no result: every generated test of every spec passes when each test group evaluates only
the rules it reads, on both promtool generations (their builds, which run the tests scoped, prove it in
test_generations.py; here, every group is run once); and a scoped run still fails, naming the alert, the
scenario and the user's file, when a rule is broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from obsgen.artifacts.ruletests import generation
from obsgen.artifacts.ruletests.runner import _scoped_jobs, load_test_file, rule_test_files, run
from obsgen.build.pipeline import build_fleet
from obsgen.tools import promtool
from tests.conftest import PURCHASE_SPEC, ROOT
from tests.ruletests.test_generations import SPEC_SETS, promtool_of_generation

# As the project builds them: specs/ as one fleet, specs/examples/ as another.
FLEETS = {"specs": [PURCHASE_SPEC], "examples": sorted((ROOT / "specs" / "examples").glob("*.yaml"))}
OTEL = ROOT / "specs" / "examples" / "otel-demo-checkout.yaml"


def written(specs: list[Path], out: Path, major: int) -> list[Path]:
    """The test files of a build whose tests are written for that generation (not run by the build)."""
    result = build_fleet(specs, out, validate=False, prometheus_version=major)
    directories = [r.directory for r in result.journeys] + [result.directory]
    return [path for directory in directories for path in rule_test_files(directory)]


def test_these_spec_sets_are_built_and_tested_on_both_generations():
    assert all(specs in SPEC_SETS.values() for specs in FLEETS.values())


@pytest.mark.integration  # a fleet's build forks its emit pool
@pytest.mark.parametrize("fleet", sorted(FLEETS))
def test_scoping_runs_every_group_once_and_leaves_rules_out(fleet, tmp_path):
    """That every generated test of these spec sets passes scoped, on both generations, is what their builds
    prove (tests/ruletests/test_generations.py builds them with each generation's promtool, and a build runs its
    tests scoped): here, that the scoped jobs hold every group of every file exactly once, and fewer rules."""
    tests = [load_test_file(t) for t in written(FLEETS[fleet], tmp_path, max(generation.GENERATIONS))]
    jobs_of = [_scoped_jobs(test) for test in tests]
    for test, jobs in zip(tests, jobs_of):
        assert sorted(i for job in jobs for i in job.groups) == list(range(len(test.document["tests"])))
    # ... and scoping did leave rules out: the runs are scoped, not whole files.
    every_rule = sum(1 for t in tests for _ in t.rules.places())
    scoped_rules = sum(len(job.keep) for jobs in jobs_of for job in jobs)
    assert scoped_rules < every_rule * sum(map(len, jobs_of))


def _broken(rules: Path, alert: str, old: str, new: str) -> None:
    text = rules.read_text()
    start = text.index(f"- alert: {alert}\n")
    end = text.find("- alert:", start + 1)
    block = text[start:end if end > 0 else len(text)]
    assert old in block, block
    rules.write_text(text.replace(block, block.replace(old, new, 1)))


@pytest.mark.integration
@pytest.mark.slow
def test_a_scoped_run_fails_on_a_broken_threshold_naming_alert_scenario_and_file(tmp_path):
    """Two journeys in one pool, one with an alert's threshold moved out of the scenario's reach: the
    failure names that alert, its scenario and the journey's own test file, never a scoped copy."""
    tests = written([PURCHASE_SPEC, OTEL], tmp_path, generation.detected())
    journey, alert = "otel-demo-shopping", "OtelDemoShoppingCheckoutHighErrorRate"
    # The symptom alert on the frontend's checkout error ratio: 5% raised out of the 10% scenario's reach.
    _broken(tmp_path / journey / "prometheus" / "alerts.rules.yaml", alert, "> 0.05", "> 0.99")
    report = run(tests)
    assert not report.passed
    mine = str(tmp_path / journey / "tests" / f"{journey}.tests.yaml")
    assert {f.file for f in report.failures} == {mine}
    named = {(f.alertname, f.test_group) for f in report.failures if f.kind == "alert"}
    assert any(name == alert and group and group.startswith("symptom above its threshold")
               for name, group in named), named


@pytest.mark.integration
@pytest.mark.slow
def test_a_build_for_the_other_generation_runs_its_tests_rewritten_for_the_local_promtool(tmp_path, monkeypatch):
    """promtool 2.42 validating a build written for Prometheus 3: the pool runs the tests written for 2 from
    a scratch copy, and what is published is the build for 3."""
    monkeypatch.setenv(promtool.ENV_VAR, promtool_of_generation(2))
    build_fleet([PURCHASE_SPEC], tmp_path / "validated", prometheus_version=3)
    build_fleet([PURCHASE_SPEC], tmp_path / "written", validate=False, prometheus_version=3)
    published = tmp_path / "validated" / "purchase" / "tests" / "purchase.tests.yaml"
    assert published.read_text() == (tmp_path / "written" / "purchase" / "tests" / "purchase.tests.yaml").read_text()
