"""Grafana Mimir / Cortex: one rule-namespace file per journey, as `mimirtool rules load` reads it.

    namespace: purchase
    groups: [ ...Prometheus rule groups... ]

mimirtool (and cortextool, same format) parses the file strictly, requires unique group names
within a namespace and hands each group to Prometheus' rulefmt. The namespace is the journey
name, so `mimirtool rules sync` of several journeys never touches another journey's rules.
"""

from __future__ import annotations

from pathlib import Path

from obsgen import yamlio
from obsgen.artifacts.base import Artifact
from obsgen.artifacts.built import DeliveryInputs
from obsgen.model import Journey
from obsgen.targets.options import TargetOptions
from obsgen.targets.rulecheck import check_bodies

NAMESPACE_KEYS = {"namespace", "groups"}
# Prometheus' rule-group keys plus the ruler's own (federated rules, evaluation alignment).
RULER_GROUP_KEYS = {"source_tenants", "evaluation_delay", "align_evaluation_time_on_interval"}
PROMETHEUS_GROUP_KEYS = {"name", "interval", "limit", "rules", "query_offset"}


def namespace_file(journey: Journey, inputs: DeliveryInputs) -> dict:
    return {"namespace": journey.name,
            "groups": [group for rule_file in inputs.rule_files for group in rule_file.groups]}


def render(journey: Journey, inputs: DeliveryInputs, options: TargetOptions) -> list[Artifact]:
    document = namespace_file(journey, inputs)
    if not document["groups"]:
        return []
    return [Artifact(f"{journey.name}.yaml", yamlio.dump(document, journey.source))]


def check_namespace_file(document: object, tool: str) -> list[str]:
    """The shape `<tool> rules load` accepts; rule bodies are left to promtool."""
    if not isinstance(document, dict):
        return ["not a YAML mapping"]
    problems = [f"unknown key {k!r} ({tool} parses strictly)" for k in sorted(set(document) - NAMESPACE_KEYS)]
    namespace = document.get("namespace")
    if not isinstance(namespace, str) or not namespace.strip():
        problems.append("namespace must be a non-empty string")
    elif "/" in namespace:
        problems.append(f"namespace {namespace!r}: '/' cannot appear in the ruler API path")
    groups = document.get("groups")
    if not isinstance(groups, list) or not groups:
        return problems + ["groups must be a non-empty list"]
    names = []
    for index, group in enumerate(groups):
        if not isinstance(group, dict):
            problems.append(f"groups[{index}] is not a mapping")
            continue
        names.append(group.get("name"))
        unknown = set(group) - PROMETHEUS_GROUP_KEYS - RULER_GROUP_KEYS
        problems += [f"group {group.get('name')!r}: unknown key {k!r}" for k in sorted(unknown)]
    problems += [f"group name {n!r} appears twice in namespace {namespace!r}"
                 for n in sorted({str(n) for n in names if names.count(n) > 1})]
    return problems


def _prometheus_body(document: dict) -> dict:
    """What the ruler hands to rulefmt: the groups without the ruler-only keys."""
    return {"groups": [{k: v for k, v in group.items() if k not in RULER_GROUP_KEYS}
                       for group in document.get("groups") or [] if isinstance(group, dict)]}


def check(directory: Path, journey: Journey, options: TargetOptions, *, tool: str = "mimirtool") -> list[str]:
    problems: list[str] = []
    bodies: dict[str, dict] = {}
    label = directory.name
    for path in sorted(directory.glob("*.yaml")):
        document = yamlio.load(path.read_text(encoding="utf-8"))
        problems += [f"{label}: {path.name}: {p}" for p in check_namespace_file(document, tool)]
        if isinstance(document, dict):
            bodies[f"{label}: {path.name}"] = _prometheus_body(document)
    return problems + check_bodies(bodies)
