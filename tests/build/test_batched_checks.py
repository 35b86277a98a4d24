"""The static checks of a build run once for all its directories (issue 16): one `promtool check
rules` over every rule file and one `amtool check-config` over every Alertmanager config, the real
tools, with each problem still reported against the directory and file it is in."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from obsgen.artifacts.alertmanager import amtool, emit as alertmanager
from obsgen.artifacts.base import Artifact, ArtifactKind
from obsgen.build import pipeline
from obsgen.errors import ValidationFailed
from obsgen.tools import promtool
from tests.conftest import ROOT

pytestmark = pytest.mark.integration

EXAMPLES = ["etcd-kv.yaml", "keycloak-login.yaml"]


@pytest.fixture
def specs(tmp_path: Path) -> list[Path]:
    (tmp_path / "specs").mkdir()
    return [Path(shutil.copy(ROOT / "specs" / "examples" / name, tmp_path / "specs" / name)) for name in EXAMPLES]


@pytest.fixture
def tool_runs(monkeypatch) -> list[list[str]]:
    """The argument lists of every promtool and amtool run (the real tools still run)."""
    runs: list[list[str]] = []
    for module in (promtool, amtool):
        real = module.run_tool

        def recording(binary, args, *rest, real=real, **options):
            runs.append([Path(binary).name, *args])
            return real(binary, args, *rest, **options)
        monkeypatch.setattr(module, "run_tool", recording)
    return runs


def test_one_promtool_and_one_amtool_run_check_every_directory(specs, tool_runs):
    result = pipeline.build_fleet(specs, specs[0].parents[1] / "generated", run_tests=False)
    # (the dashboard lint parses its PromQL with promtool too, on its own file of expressions)
    rule_checks = [run for run in tool_runs if run[1:3] == ["check", "rules"] and run[-1].endswith(".rules.yaml")]
    config_checks = [run for run in tool_runs if run[1:2] == ["check-config"]]
    assert len(rule_checks) == 1 and len(config_checks) == 1
    assert len(config_checks[0][2:]) == len(result.journeys) + 1  # every journey's config and the fleet's
    rule_files = [a.path for r in result.journeys for a in r.artifacts if a.path.endswith(".rules.yaml")]
    rule_files += [a.path for a in result.artifacts if a.path.endswith(".rules.yaml")]
    assert len(rule_checks[0][4:]) == len(rule_files)


def test_a_problem_is_reported_against_its_own_directory(specs, monkeypatch):
    out = specs[0].parents[1] / "generated"

    def broken(journey):  # promtool and amtool each reject one journey's file, the other passes
        if journey.name != "etcd-kv":
            return []
        return [Artifact("prometheus/broken.rules.yaml", "groups:\n- name: x\n  rules:\n  - record: a:b\n    expr: sum(\n"),
                Artifact("alertmanager/alertmanager.yaml", "route:\n  receiver: nobody\nreceivers: []\n")]

    kinds = [dataclasses.replace(k, emit=alertmanager_unless_etcd) if k is alertmanager.KIND else k for k in pipeline.KINDS]
    monkeypatch.setattr(pipeline, "KINDS", (*kinds, ArtifactKind("broken", broken)))
    with pytest.raises(ValidationFailed) as caught:
        pipeline.build_fleet(specs, out, run_tests=False)
    lines = str(caught.value).splitlines()[1:]
    assert len(lines) == 2, lines
    assert lines[0].startswith("promtool check rules: prometheus/broken.rules.yaml: ")
    assert lines[1] == 'amtool check-config: alertmanager/alertmanager.yaml: undefined receiver "nobody" used in route'
    assert not out.exists() or not any(out.iterdir())


def alertmanager_unless_etcd(journey):
    return [] if journey.name == "etcd-kv" else alertmanager.emit_alertmanager(journey)
