"""Delivery targets for the purchase spec: rendered from the emitters' output, validated like each engine would."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from obsgen import targets
from obsgen.artifacts.base import Artifact
from obsgen.artifacts.built import from_artifacts
from obsgen.build import pipeline
from obsgen.cli import main
from obsgen.errors import ValidationFailed
from obsgen.render import dump_json, dump_yaml
from obsgen.targets import mimir, prometheus_operator, thanos
from obsgen.targets.options import TargetOptions
from tests.conftest import PURCHASE_SPEC, copy_project

ALL = ("prometheus", "prometheus-operator", "mimir", "cortex", "thanos")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "specs").mkdir()
    shutil.copy(PURCHASE_SPEC, tmp_path / "specs" / "purchase.yaml")
    return tmp_path


def load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def emitted_groups(directory: Path) -> list[dict]:
    return [g for f in sorted((directory / "prometheus").glob("*.rules.yaml")) for g in load(f)["groups"]]


def write(directory: Path, artifacts: list[Artifact]) -> None:
    for artifact in artifacts:
        path = directory / artifact.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(artifact.content, encoding="utf-8")


def dashboard_artifact(uid: str = "obsgen-purchase", title: str = "Purchase journey") -> Artifact:
    return Artifact("grafana/dashboards/purchase.json", dump_json({"uid": uid, "title": title, "panels": []}))


# --------------------------------------------------------------------------- the purchase build


@pytest.mark.integration
def test_every_target_builds_and_validates_for_purchase(project: Path):
    result = pipeline.build(project / "specs" / "purchase.yaml", project / "generated", targets=ALL)
    journey_dir = result.directory
    groups = emitted_groups(journey_dir)
    assert groups, "the prometheus emitter produced no groups"

    crs = sorted((journey_dir / "targets/prometheus-operator/prometheusrules").glob("*.yaml"))
    assert [p.name for p in crs] == ["obsgen-purchase-alerts.yaml", "obsgen-purchase-recording.yaml"]
    assert [g for p in crs for g in load(p)["spec"]["groups"]] == [
        g for f in ("alerts", "recording") for g in load(journey_dir / f"prometheus/{f}.rules.yaml")["groups"]]
    alerts_cr = load(crs[0])
    assert alerts_cr["metadata"]["labels"]["prometheus"] == "k8s"
    assert alerts_cr["metadata"]["labels"]["role"] == "alert-rules"
    assert alerts_cr["metadata"]["annotations"]["obsgen.io/spec-sha256"] == result.journey.source_sha256

    for engine in ("mimir", "cortex"):
        namespace_file = load(journey_dir / f"targets/{engine}/purchase.yaml")
        assert namespace_file["namespace"] == "purchase"
        assert namespace_file["groups"] == groups

    thanos_groups = [g for f in sorted((journey_dir / "targets/thanos").glob("*.yaml")) for g in load(f)["groups"]]
    assert {g["partial_response_strategy"] for g in thanos_groups} == {"abort"}
    assert [{k: v for k, v in g.items() if k != "partial_response_strategy"} for g in thanos_groups] == groups

    dashboards = [a for a in pipeline.emit_all(result.journey) if a.path.startswith("grafana/dashboards/")]
    configmaps = sorted((journey_dir / "targets/prometheus-operator/dashboards").glob("*.yaml"))
    assert len(configmaps) == len(dashboards)
    assert not (journey_dir / "targets/prometheus").exists(), "prometheus is the plain rule files, nothing more"


def test_default_build_writes_no_targets(project: Path):
    result = pipeline.build(project / "specs" / "purchase.yaml", project / "generated", validate=False)
    assert not (result.directory / "targets").exists()


@pytest.mark.integration
def test_cli_target_options_reach_the_custom_resources(project: Path):
    runner = CliRunner()
    outcome = runner.invoke(main, ["build", str(project / "specs/purchase.yaml"), "--out", str(project / "out"),
                                   "--target", "prometheus-operator", "--target", "mimir",
                                   "--namespace", "observability", "--rule-label", "release=kps"])
    assert outcome.exit_code == 0, outcome.output
    cr = load(project / "out/purchase/targets/prometheus-operator/prometheusrules/obsgen-purchase-alerts.yaml")
    assert cr["metadata"]["namespace"] == "observability"
    assert cr["metadata"]["labels"]["release"] == "kps"
    assert "prometheus" not in cr["metadata"]["labels"], "--rule-label replaces the default selector labels"
    assert (project / "out/purchase/targets/mimir/purchase.yaml").is_file()
    assert not (project / "out/purchase/targets/thanos").exists()


@pytest.mark.integration
def test_an_invalid_target_leaves_the_published_output_untouched(purchase_built: Path, tmp_path: Path):
    project = copy_project(purchase_built, tmp_path / "project")  # the published output of a full build
    spec = project / "specs" / "purchase.yaml"
    published = project / "generated" / "purchase"
    before = {p: p.read_bytes() for p in published.rglob("*") if p.is_file()}
    bad_selector = TargetOptions(rule_labels=(("role", "alert rules!"),))
    with pytest.raises(ValidationFailed, match="not a valid label value"):
        pipeline.build(spec, project / "generated", targets=["prometheus-operator"], target_options=bad_selector)
    assert {p: p.read_bytes() for p in published.rglob("*") if p.is_file()} == before


def test_unknown_target_is_refused(purchase_journey):
    with pytest.raises(ValueError, match="unknown target"):
        targets.emit(purchase_journey, [], ["nagios"])


# --------------------------------------------------------------------------- prometheus-operator checks


@pytest.fixture
def operator_files(purchase_journey, purchase_artifacts, tmp_path: Path) -> Path:
    artifacts = [a for a in purchase_artifacts if not a.path.startswith("grafana/dashboards/")] + [dashboard_artifact()]
    write(tmp_path, targets.emit(purchase_journey, artifacts, ["prometheus-operator"]))
    return tmp_path / "targets/prometheus-operator"


def rewrite(path: Path, change) -> None:
    document = load(path)
    change(document)
    path.write_text(dump_yaml(document), encoding="utf-8")


@pytest.mark.integration
def test_operator_output_passes_its_checks(operator_files: Path, purchase_journey):
    assert prometheus_operator.check(operator_files, purchase_journey, TargetOptions()) == []
    configmap = load(operator_files / "dashboards/obsgen-dashboard-purchase.yaml")
    assert configmap["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert configmap["data"]["purchase.json"] == dashboard_artifact().content


@pytest.mark.integration
@pytest.mark.parametrize("change, expected", [
    (lambda d: d["spec"]["groups"][0]["rules"][0].update({"for": "5 minutes"}), "CRD schema: spec.groups.0.rules.0.for"),
    (lambda d: d["spec"]["groups"][0].pop("name"), "CRD schema: spec.groups.0.name: Field required"),
    (lambda d: d["spec"]["groups"][0].update({"partial_response_strategy": "ignore"}),
     "CRD schema: spec.groups.0.partial_response_strategy: String should match pattern"),
    (lambda d: d["spec"]["groups"][0].update({"limit": "5"}), "CRD schema: spec.groups.0.limit: Input should be a valid integer"),
    (lambda d: d["spec"]["groups"][0]["rules"][0].update({"keepFiringFor": "5m"}),
     "CRD schema: spec.groups.0.rules.0.keepFiringFor: unknown field"),
    (lambda d: d["metadata"]["labels"].update({"tier": 1}), "CRD schema: metadata.labels.tier: Input should be a valid string"),
    (lambda d: d["spec"]["groups"].append(copy.deepcopy(d["spec"]["groups"][0])), "appears twice"),
    (lambda d: d["metadata"]["labels"].pop("role"), "label role='alert-rules' missing"),
    (lambda d: d["metadata"].update({"name": "obsgen_purchase"}), "not a DNS-1123 subdomain"),
    (lambda d: d.update({"kind": "PrometheusRules"}), "expected apiVersion monitoring.coreos.com/v1 kind PrometheusRule"),
    (lambda d: d["spec"]["groups"][0]["rules"][0].update({"expr": "sum(rate(x[5m])"}), "promtool check rules"),
])
def test_operator_checks_catch_broken_prometheus_rules(operator_files, purchase_journey, change, expected):
    rewrite(operator_files / "prometheusrules/obsgen-purchase-alerts.yaml", change)
    problems = prometheus_operator.check(operator_files, purchase_journey, TargetOptions())
    assert any(expected in p for p in problems), problems


@pytest.mark.integration
@pytest.mark.parametrize("change, expected", [
    (lambda d: d["metadata"]["labels"].pop("grafana_dashboard"), "label grafana_dashboard='1' missing"),
    (lambda d: d.update({"data": {"purchase.json": "{not json"}}), "not JSON"),
    (lambda d: d.update({"data": {"purchase.json": '{"title": "t"}'}}), "needs a uid and a title"),
    (lambda d: d.update({"data": {"purchase.yaml": '{"uid": "u", "title": "t"}'}}), "Grafana loads only *.json"),
    (lambda d: d.update({"data": {"purchase.json": '{"uid": "u", "title": "' + "x" * 1_100_000 + '"}'}}),
     "Kubernetes limits a ConfigMap"),
])
def test_operator_checks_catch_broken_dashboard_configmaps(operator_files, purchase_journey, change, expected):
    rewrite(operator_files / "dashboards/obsgen-dashboard-purchase.yaml", change)
    problems = prometheus_operator.check(operator_files, purchase_journey, TargetOptions())
    assert any(expected in p for p in problems), problems


def test_crd_models_hold_the_prometheusrule_v1_rules():
    """The PyPI models are prometheus-operator's CRD: required names and exprs, Go's inline (?i) flag."""
    resource = {"apiVersion": prometheus_operator.API_VERSION, "kind": prometheus_operator.KIND,
                "metadata": {"name": "x"}, "spec": {"groups": [{"rules": [{"record": "r"}]}]}}
    assert prometheus_operator._schema_problems(resource) == [
        "CRD schema: spec.groups.0.name: Field required", "CRD schema: spec.groups.0.rules.0.expr: Field required"]
    resource["spec"]["groups"] = [{"name": "g", "partial_response_strategy": "WARN", "rules": [{"record": "r", "expr": "1"}]}]
    assert prometheus_operator._schema_problems(resource) == []


# --------------------------------------------------------------------------- mimir / cortex / thanos checks


@pytest.fixture
def mimir_file(purchase_journey, purchase_artifacts, tmp_path: Path) -> Path:
    write(tmp_path, targets.emit(purchase_journey, list(purchase_artifacts), ["mimir"]))
    return tmp_path / "targets/mimir/purchase.yaml"


@pytest.mark.integration
def test_mimir_namespace_file_passes_its_checks(mimir_file: Path, purchase_journey):
    assert mimir.check(mimir_file.parent, purchase_journey, TargetOptions()) == []


@pytest.mark.integration
@pytest.mark.parametrize("change, expected", [
    (lambda d: d.pop("namespace"), "namespace must be a non-empty string"),
    (lambda d: d.update({"namespace": "a/b"}), "cannot appear in the ruler API path"),
    (lambda d: d.update({"tenant": "x"}), "unknown key 'tenant'"),
    (lambda d: d["groups"][0].update({"partial_response_strategy": "warn"}), "unknown key 'partial_response_strategy'"),
    (lambda d: d["groups"].append(copy.deepcopy(d["groups"][0])), "appears twice in namespace"),
    (lambda d: d["groups"][0]["rules"][0].update({"expr": "rate(x[5m]"}), "promtool check rules: mimir: purchase.yaml"),
])
def test_mimir_checks_catch_broken_namespace_files(mimir_file, purchase_journey, change, expected):
    rewrite(mimir_file, change)
    problems = mimir.check(mimir_file.parent, purchase_journey, TargetOptions())
    assert any(expected in p for p in problems), problems


@pytest.mark.integration
def test_mimir_ruler_keys_are_peeled_off_before_promtool(mimir_file, purchase_journey):
    rewrite(mimir_file, lambda d: d["groups"][0].update({"source_tenants": ["team-a", "team-b"]}))
    assert mimir.check(mimir_file.parent, purchase_journey, TargetOptions()) == []


@pytest.fixture
def thanos_dir(purchase_journey, purchase_artifacts, tmp_path: Path) -> Path:
    write(tmp_path, targets.emit(purchase_journey, list(purchase_artifacts), ["thanos"]))
    return tmp_path / "targets/thanos"


@pytest.mark.integration
def test_thanos_rule_files_pass_their_checks(thanos_dir: Path, purchase_journey):
    assert sorted(p.name for p in thanos_dir.iterdir()) == ["alerts.rules.yaml", "recording.rules.yaml"]
    assert thanos.check(thanos_dir, purchase_journey, TargetOptions()) == []


@pytest.mark.integration
@pytest.mark.parametrize("change, expected", [
    (lambda d: d["groups"][0].pop("partial_response_strategy"), "partial_response_strategy must be one of abort, warn, got None"),
    (lambda d: d["groups"][0].update({"partial_response_strategy": "ignore"}), "got 'ignore'"),
    (lambda d: d["groups"][0]["rules"][0].update({"expr": "rate(x[5m]"}), "promtool check rules: thanos: alerts.rules.yaml"),
])
def test_thanos_checks_catch_broken_rule_files(thanos_dir, purchase_journey, change, expected):
    rewrite(thanos_dir / "alerts.rules.yaml", change)
    problems = thanos.check(thanos_dir, purchase_journey, TargetOptions())
    assert any(expected in p for p in problems), problems


def test_thanos_accepts_warn_in_any_case(thanos_dir, purchase_journey):
    rewrite(thanos_dir / "alerts.rules.yaml",
            lambda d: [g.update({"partial_response_strategy": "WARN"}) for g in d["groups"]])
    assert thanos.check_rule_file(load(thanos_dir / "alerts.rules.yaml")) == []


def test_inputs_ignore_files_outside_the_rule_and_dashboard_folders():
    inputs = from_artifacts([Artifact("prometheus/tests/x.rules.yaml", "groups: []"),
                             Artifact("alertmanager/alertmanager.yml", "route: {}"), dashboard_artifact()])
    assert inputs.rule_files == ()
    assert [d.uid for d in inputs.dashboards] == ["obsgen-purchase"]


def test_fast_yaml_writes_the_same_bytes_as_the_project_writer(purchase_journey, purchase_artifacts):
    from obsgen import yamlio

    for artifact in purchase_artifacts:
        if artifact.path.endswith(".rules.yaml"):
            data = yaml.safe_load(artifact.content)
            assert yamlio.dump(data, purchase_journey.source) == dump_yaml(data, purchase_journey.source)
            assert yamlio.load(artifact.content) == data
