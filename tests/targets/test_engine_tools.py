"""Delivery targets checked by their engines' own tools, not only by promtool.

obsgen's target validators run promtool on the rule bodies (obsgen/targets/rulecheck.py); here the
files `obsgen build --target ...` writes go to the programs that load them in production:

- thanos: `thanos tools rules-check` (scripts/install-thanos), which also parses Thanos' own
  `partial_response_strategy` group field;
- the plain Prometheus rule files: `vmalert -dryRun` (scripts/go-tools install vmalert), the
  VictoriaMetrics rule engine, whose MetricsQL parser is a second, independent reading of the PromQL.

Mimir is not checked (mimirtool is AGPL-licensed), Cortex not either (the Go module proxy refuses
github.com/grafana/cortex-tools, so no cortextool), and prometheus-operator has no offline checker
in the one release the proxy serves (v0.85.0 ships no po-lint): its files are checked against the
CRD schema by obsgen itself (tests/targets/test_targets.py).

A missing tool skips with the command that installs it; under CI it fails, because
`scripts/bootstrap --test` installs both.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from obsgen.build import pipeline
from tests.conftest import PURCHASE_SPEC, ROOT
from tests.fleet.test_shared_signals import spec as shared_dependency_spec

ALL_TARGETS = ("prometheus", "prometheus-operator", "mimir", "cortex", "thanos")
EXAMPLES = sorted((ROOT / "specs" / "examples").glob("*.yaml"))
# Journeys whose rules VictoriaMetrics cannot run, and the error vmalert gives: prometheus-api's SLIs
# read Prometheus native histograms (histogram_count, histogram_fraction), which MetricsQL lacks.
NOT_METRICSQL = {"prometheus-api": 'unsupported function "histogram_count"'}

pytestmark = pytest.mark.integration


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"CI is set, so this is a failure, not a skip: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def vmalert() -> str:
    found = subprocess.run([str(ROOT / "scripts" / "go-tools"), "path", "vmalert"],
                           capture_output=True, text=True, check=False)
    if found.returncode != 0:
        _missing("vmalert is not built: scripts/go-tools install vmalert")
    return found.stdout.strip()


@pytest.fixture(scope="module")
def thanos() -> str:
    binary = subprocess.run([str(ROOT / "scripts" / "install-thanos"), "--path"],
                            capture_output=True, text=True, check=True).stdout.strip()
    if not os.access(binary, os.X_OK):
        _missing("thanos is not built: scripts/install-thanos (a cold build takes many minutes)")
    return binary


@pytest.fixture(scope="module")
def fleet(tmp_path_factory) -> dict[str, Path]:
    """Every directory holding rule files, by name: purchase and every example built together, plus a
    fleet of two journeys sharing dependencies (its _fleet/ directory holds the shared rules), all with
    every target. obsgen's own validators are left out here: other tests run them."""
    out = tmp_path_factory.mktemp("engines")
    examples = pipeline.build_fleet([PURCHASE_SPEC, *EXAMPLES], out / "examples", validate=False,
                                    targets=ALL_TARGETS)
    shared_specs = []
    for name, stage in (("cart", "add"), ("orders", "place")):
        shared_specs.append(out / f"{name}.yaml")
        shared_specs[-1].write_text(shared_dependency_spec(name, stage), encoding="utf-8")
    shared = pipeline.build_fleet(shared_specs, out / "shared", validate=False, targets=ALL_TARGETS)
    directories = {j.journey.name: j.directory for j in (*examples.journeys, *shared.journeys)}
    directories["_fleet (shared dependencies)"] = shared.directory
    return directories


def run_vmalert(binary: str, files: list[Path]) -> subprocess.CompletedProcess:
    return subprocess.run([binary, "-dryRun", "-loggerLevel=ERROR", "-rule=" + ",".join(map(str, files))],
                          capture_output=True, text=True, check=False)


def run_rules_check(binary: str, files: list[Path]) -> subprocess.CompletedProcess:
    return subprocess.run([binary, "tools", "rules-check", *(f"--rules={f}" for f in files)],
                          capture_output=True, text=True, check=False)


def rule_files(directory: Path) -> list[Path]:
    files = sorted(directory.glob("*.yaml"))
    assert files, f"no rule files in {directory}"
    return files


# --------------------------------------------------------------------------- thanos


def test_thanos_rules_check_accepts_every_thanos_target(fleet, thanos):
    for name, directory in sorted(fleet.items()):
        checked = run_rules_check(thanos, rule_files(directory / "targets" / "thanos"))
        assert checked.returncode == 0, f"{name}: {checked.stdout}{checked.stderr}"


def test_thanos_rules_check_rejects_an_unknown_partial_response_strategy(fleet, thanos, tmp_path):
    source = rule_files(fleet["purchase"] / "targets" / "thanos")[0]
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    document["groups"][0]["partial_response_strategy"] = "sometimes"
    broken = tmp_path / source.name
    broken.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    checked = run_rules_check(thanos, [broken])
    assert checked.returncode != 0
    assert "sometimes" in checked.stdout + checked.stderr


# --------------------------------------------------------------------------- vmalert


def test_vmalert_loads_every_plain_rule_file(fleet, vmalert):
    for name, directory in sorted(fleet.items()):
        if name in NOT_METRICSQL:
            continue
        checked = run_vmalert(vmalert, rule_files(directory / "prometheus"))
        assert checked.returncode == 0, f"{name}: {checked.stdout}{checked.stderr}"


@pytest.mark.parametrize("name", sorted(NOT_METRICSQL))
def test_vmalert_refuses_only_what_metricsql_lacks(fleet, vmalert, name):
    """The documented exception: if vmalert ever accepts these rules, drop them from NOT_METRICSQL."""
    checked = run_vmalert(vmalert, rule_files(fleet[name] / "prometheus"))
    assert checked.returncode != 0
    assert NOT_METRICSQL[name] in checked.stdout + checked.stderr


def test_vmalert_rejects_a_rule_it_cannot_parse(fleet, vmalert, tmp_path):
    source = fleet["purchase"] / "prometheus" / "alerts.rules.yaml"
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    document["groups"][0]["rules"][0]["expr"] = "sum(rate(x[5m]) by"
    broken = tmp_path / source.name
    broken.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    checked = run_vmalert(vmalert, [broken])
    assert checked.returncode != 0
    assert "sum(rate(x[5m]) by" in checked.stdout + checked.stderr
