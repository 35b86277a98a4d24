"""`--target mixin`: jsonnet (the PyPI package's evaluator) reads the generated mixin.libsonnet as
kube-prometheus and mixtool do, and gets exactly the rule groups and dashboards of the plain output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from obsgen.artifacts.layout import FLEET_DIR
from obsgen.build import pipeline
from obsgen.targets import mixin, target_dir
from obsgen.targets.options import TargetOptions
from tests.conftest import ROOT

_jsonnet = pytest.importorskip("_jsonnet", reason="jsonnet is a dev extra: pip install -e '.[dev]'")

# Two journeys of public systems, built together so the fleet gets its mixin too.
EXAMPLES = ("etcd-kv.yaml", "keycloak-login.yaml")


def evaluate(mixin_dir: Path, overrides: str = "{}") -> dict:
    """What a mixin consumer sees: the hidden fields, read through the entry point."""
    snippet = (f"local m = (import {json.dumps(mixin.ENTRY_POINT)}) + {overrides};\n"
               "{alerts: m.prometheusAlerts, rules: m.prometheusRules, dashboards: m.grafanaDashboards}")
    return json.loads(_jsonnet.evaluate_snippet(str(mixin_dir / "evaluate.jsonnet"), snippet))


def plain_groups(directory: Path) -> list[dict]:
    return [group for path in sorted((directory / "prometheus").glob("*.rules.yaml"))
            for group in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]]


def plain_dashboards(directory: Path) -> dict[str, dict]:
    return {path.name: json.loads(path.read_text(encoding="utf-8"))
            for path in sorted((directory / "grafana" / "dashboards").glob("*.json"))}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("mixin")
    (project / "specs").mkdir()
    for name in EXAMPLES:
        shutil.copy(ROOT / "specs" / "examples" / name, project / "specs" / name)
    pipeline.build_fleet(sorted((project / "specs").iterdir()), project / "generated",
                         targets=("prometheus", "mixin"))
    return project / "generated"


@pytest.mark.integration
@pytest.mark.parametrize("directory", ["etcd-kv", "keycloak-login", FLEET_DIR])
def test_mixin_evaluates_to_the_plain_rules_and_dashboards(built: Path, directory: str):
    output = built / directory
    evaluated = evaluate(output / target_dir("mixin"))
    groups = plain_groups(output)
    alerting = [g for g in groups if any("alert" in rule for rule in g["rules"])]
    assert evaluated["alerts"]["groups"] == alerting
    assert evaluated["rules"]["groups"] == [g for g in groups if g not in alerting]
    assert not any("alert" in rule for g in evaluated["rules"]["groups"] for rule in g["rules"])
    assert evaluated["dashboards"] == plain_dashboards(output)
    if directory != FLEET_DIR:
        assert alerting and evaluated["rules"]["groups"] and evaluated["dashboards"]


@pytest.mark.integration
def test_config_alert_labels_reach_every_alert_and_nothing_else(built: Path):
    mixin_dir = built / "etcd-kv" / target_dir("mixin")
    plain = evaluate(mixin_dir)
    labelled = evaluate(mixin_dir, "{_config+:: {alertLabels: {cluster: 'eu-1'}}}")
    for before, after in zip(plain["alerts"]["groups"], labelled["alerts"]["groups"], strict=True):
        for old, new in zip(before["rules"], after["rules"], strict=True):
            assert new["labels"] == {**old.get("labels", {}), "cluster": "eu-1"}
            assert {k: v for k, v in new.items() if k != "labels"} == {k: v for k, v in old.items() if k != "labels"}
    assert labelled["rules"] == plain["rules"] and labelled["dashboards"] == plain["dashboards"]


@pytest.mark.integration
def test_mixin_output_passes_its_checks_and_is_byte_stable(built: Path, purchase_journey):
    mixin_dir = built / "etcd-kv" / target_dir("mixin")
    assert mixin.check(mixin_dir, purchase_journey, TargetOptions()) == []
    assert json.loads((mixin_dir / mixin.JSONNETFILE).read_text()) == mixin.JSONNETFILE_CONTENT
    result = pipeline.build_fleet(sorted((built.parent / "specs").iterdir()), built, check=True,
                                  targets=("prometheus", "mixin"), validate=False)
    assert result.stale == []


@pytest.mark.integration
def test_mixin_checks_catch_a_broken_rule_and_a_missing_import(built: Path, tmp_path: Path, purchase_journey):
    broken = tmp_path / "mixin"
    shutil.copytree(built / "etcd-kv" / target_dir("mixin"), broken)
    document = json.loads((broken / mixin.ALERTS_FILE).read_text())
    document["groups"][0]["rules"][0]["expr"] = "sum(("
    (broken / mixin.ALERTS_FILE).write_text(json.dumps(document))
    (broken / "dashboards" / "etcd-kv.json").unlink()
    problems = mixin.check(broken, purchase_journey, TargetOptions())
    assert problems[0] == "mixin: mixin.libsonnet imports missing etcd-kv.json"
    assert len(problems) == 2 and problems[1].startswith("promtool check rules: mixin: alerts.json: ")
