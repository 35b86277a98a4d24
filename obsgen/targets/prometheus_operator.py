"""prometheus-operator: PrometheusRule custom resources and Grafana-sidecar dashboard ConfigMaps.

One PrometheusRule per rule file (recording, alerts) keeps each object far below the size at
which the operator has to split its generated ConfigMaps. The selector labels are what the
Prometheus resource's `ruleSelector` matches; a PrometheusRule without them is silently ignored.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pydantic

from obsgen import yamlio
from obsgen.artifacts.base import Artifact
from obsgen.artifacts.built import Dashboard, DeliveryInputs, RuleFile
from obsgen.errors import ObsgenError
from obsgen.model import Journey
from obsgen.targets import k8s
from obsgen.targets.options import DASHBOARD_FOLDER_ANNOTATION, DASHBOARD_LABEL, TargetOptions
from obsgen.targets.rulecheck import check_bodies

API_VERSION = "monitoring.coreos.com/v1"
KIND = "PrometheusRule"
RULES_SUBDIR = "prometheusrules"
DASHBOARDS_SUBDIR = "dashboards"
MANAGED_BY = ("app.kubernetes.io/managed-by", "obsgen")
JOURNEY_LABEL = "obsgen.io/journey"


def _metadata(journey: Journey, name: str, namespace: str, labels: dict[str, str],
              annotations: dict[str, str]) -> dict:
    return {
        "name": name,
        "namespace": namespace,
        "labels": dict(sorted({**labels, MANAGED_BY[0]: MANAGED_BY[1], JOURNEY_LABEL: journey.name}.items())),
        "annotations": dict(sorted({
            **annotations,
            "obsgen.io/source": journey.source,
            "obsgen.io/spec-sha256": journey.source_sha256,
        }.items())),
    }


def prometheus_rule(journey: Journey, rule_file: RuleFile, options: TargetOptions) -> dict:
    name = k8s.resource_name("obsgen", journey.name, rule_file.stem)
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": _metadata(journey, name, options.namespace, dict(options.rule_labels), {}),
        "spec": {"groups": list(rule_file.groups)},
    }


def dashboard_configmap(journey: Journey, dashboard: Dashboard, options: TargetOptions) -> dict:
    name = k8s.resource_name("obsgen", "dashboard", dashboard.stem)
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _metadata(journey, name, options.namespace, dict([DASHBOARD_LABEL]),
                              {DASHBOARD_FOLDER_ANNOTATION: journey.title}),
        "data": {dashboard.name: dashboard.content},
    }


def render(journey: Journey, inputs: DeliveryInputs, options: TargetOptions) -> list[Artifact]:
    artifacts = []
    for rule_file in inputs.rule_files:
        resource = prometheus_rule(journey, rule_file, options)
        artifacts.append(Artifact(f"{RULES_SUBDIR}/{resource['metadata']['name']}.yaml",
                                  yamlio.dump(resource, journey.source)))
    for dashboard in inputs.dashboards:
        resource = dashboard_configmap(journey, dashboard, options)
        artifacts.append(Artifact(f"{DASHBOARDS_SUBDIR}/{resource['metadata']['name']}.yaml",
                                  yamlio.dump(resource, journey.source)))
    return artifacts


# --------------------------------------------------------------------------- validation


@functools.cache
def prometheus_rule_model() -> type:
    """prometheus-operator's PrometheusRule (monitoring.coreos.com/v1) as pydantic models generated
    from the operator's CRDs (PyPI: cloudcoil-models-prometheus-operator, pinned in pyproject.toml).
    Imported on first use: the module holds every operator CRD and takes about two seconds to load."""
    try:
        from cloudcoil.models.prometheus_operator.v1 import PrometheusRule
    except ImportError:
        raise ObsgenError("the prometheus-operator target validates with prometheus-operator's CRD models: "
                          "pip install 'obsgen[kubernetes]'") from None
    return PrometheusRule


def _schema_problems(resource: dict) -> list[str]:
    """What the API server's CRD validation and kubectl's strict field validation would reject.

    Strict mode, because the API server does not coerce ("5" is no integer there); the round trip
    finds unknown fields, which the models ignore but `kubectl apply` (field validation "Strict",
    its default) refuses."""
    try:
        parsed = prometheus_rule_model().model_validate(resource, strict=True)
    except pydantic.ValidationError as error:
        return [f"CRD schema: {_dotted(e['loc']) or '<root>'}: {e['msg']}" for e in error.errors()]
    known = parsed.model_dump(by_alias=True, exclude_unset=True, mode="json")
    return [f"CRD schema: {path}: unknown field (kubectl apply rejects it under strict field validation)"
            for path in _unknown_fields(resource, known)]


def _dotted(location: tuple) -> str:
    return ".".join(str(part) for part in location)


def _unknown_fields(given, known, location: tuple = ()) -> list[str]:
    """Paths of mapping keys in ``given`` that the validated model did not keep."""
    if isinstance(given, dict) and isinstance(known, dict):
        return [path for key in given for path in
                ([_dotted((*location, key))] if key not in known
                 else _unknown_fields(given[key], known[key], (*location, key)))]
    if isinstance(given, list) and isinstance(known, list):
        return [path for index, (item, kept) in enumerate(zip(given, known))
                for path in _unknown_fields(item, kept, (*location, index))]
    return []


def _metadata_problems(resource: dict, options: TargetOptions, required_labels: dict[str, str]) -> list[str]:
    metadata = resource.get("metadata")
    if not isinstance(metadata, dict):
        return ["metadata is missing"]
    problems = k8s.name_problems(metadata.get("name")) + k8s.namespace_problems(metadata.get("namespace"))
    labels = metadata.get("labels") or {}
    problems += k8s.labels_problems(labels)
    for key, value in sorted(required_labels.items()):
        if isinstance(labels, dict) and labels.get(key) != value:
            problems.append(f"label {key}={value!r} missing: the selector would not pick this object up")
    return problems


def check_prometheus_rule(resource: object, options: TargetOptions) -> list[str]:
    if not isinstance(resource, dict):
        return ["not a YAML mapping"]
    problems = []
    if resource.get("apiVersion") != API_VERSION or resource.get("kind") != KIND:
        problems.append(f"expected apiVersion {API_VERSION} kind {KIND}, "
                        f"got {resource.get('apiVersion')} {resource.get('kind')}")
    problems += _metadata_problems(resource, options, dict(options.rule_labels))
    problems += _schema_problems(resource)
    groups = (resource.get("spec") or {}).get("groups") or []
    names = [g.get("name") for g in groups if isinstance(g, dict)]
    problems += [f"group name {n!r} appears twice (the CRD lists groups as a map keyed by name)"
                 for n in sorted({n for n in names if names.count(n) > 1})]
    return problems


def check_configmap(resource: object, options: TargetOptions) -> list[str]:
    if not isinstance(resource, dict):
        return ["not a YAML mapping"]
    problems = []
    if resource.get("apiVersion") != "v1" or resource.get("kind") != "ConfigMap":
        problems.append(f"expected apiVersion v1 kind ConfigMap, got {resource.get('apiVersion')} {resource.get('kind')}")
    problems += _metadata_problems(resource, options, dict([DASHBOARD_LABEL]))
    data = resource.get("data")
    if not isinstance(data, dict) or not data:
        return problems + ["data must map file names to dashboard JSON"]
    size = 0
    for key, value in sorted(data.items()):
        problems += k8s.configmap_key_problems(str(key))
        if not str(key).endswith(".json"):
            problems.append(f"data key {key!r}: the sidecar writes it as a file; Grafana loads only *.json")
        if not isinstance(value, str):
            problems.append(f"data key {key!r}: value must be a string")
            continue
        size += len(key.encode()) + len(value.encode())
        problems += _dashboard_json_problems(key, value)
    if size > k8s.CONFIGMAP_MAX_BYTES:
        problems.append(f"data is {size} bytes; Kubernetes limits a ConfigMap to {k8s.CONFIGMAP_MAX_BYTES}")
    return problems


def _dashboard_json_problems(key: str, value: str) -> list[str]:
    try:
        model = json.loads(value)
    except ValueError as error:
        return [f"data key {key!r}: not JSON: {error}"]
    if not isinstance(model, dict) or not model.get("uid") or not model.get("title"):
        return [f"data key {key!r}: a dashboard needs a uid and a title"]
    return []


def check(directory: Path, journey: Journey, options: TargetOptions) -> list[str]:
    problems: list[str] = []
    bodies: dict[str, dict] = {}
    for path in sorted((directory / RULES_SUBDIR).glob("*.yaml")):
        shown = f"{RULES_SUBDIR}/{path.name}"
        resource = yamlio.load(path.read_text(encoding="utf-8"))
        problems += [f"prometheus-operator: {shown}: {p}" for p in check_prometheus_rule(resource, options)]
        if isinstance(resource, dict) and isinstance(resource.get("spec"), dict):
            bodies[f"prometheus-operator: {shown}"] = {"groups": resource["spec"].get("groups") or []}
    for path in sorted((directory / DASHBOARDS_SUBDIR).glob("*.yaml")):
        shown = f"{DASHBOARDS_SUBDIR}/{path.name}"
        resource = yamlio.load(path.read_text(encoding="utf-8"))
        problems += [f"prometheus-operator: {shown}: {p}" for p in check_configmap(resource, options)]
    return problems + check_bodies(bodies)
