"""The artifacts under test, built in memory by the same emitters `obsgen build` runs.

verify checks what a build of SPEC produces, byte for byte, whatever is (or is not) on disk:
its rule files, its dashboard, its Alertmanager config.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from obsgen.emitters import Artifact
from obsgen.model import Journey
from obsgen.pipeline import emit_all, load_in_fleet

RULES_PREFIX = "prometheus/"
RULES_SUFFIX = ".rules.yaml"
DASHBOARD_PREFIX = "grafana/dashboards/"
ALERTMANAGER_CONFIG = "alertmanager/alertmanager.yaml"


@dataclass(frozen=True)
class RuleSpec:
    group: str
    file: str  # artifact path, e.g. prometheus/alerts.rules.yaml
    kind: str  # "recording" | "alerting"
    name: str  # record or alert name
    expr: str
    labels: tuple[tuple[str, str], ...]
    hold: str = ""  # an alert's `for`

    @property
    def title(self) -> str:
        labels = ",".join(f"{k}={v}" for k, v in self.labels if k in ("stage", "slo", "severity", "dependency"))
        return f"{self.name}{{{labels}}}" if labels else self.name


@dataclass(frozen=True)
class Built:
    journey: Journey
    rules: tuple[RuleSpec, ...]
    groups: tuple[tuple[str, str], ...]  # (artifact file, group name) in file order
    dashboards: tuple[tuple[str, dict], ...]  # (artifact path, dashboard JSON)
    alertmanager: dict | None

    def recorded_names(self) -> set[str]:
        return {r.name for r in self.rules if r.kind == "recording"}


def build(spec: Path, generated_dir: Path = Path("generated")) -> Built:
    """SPEC's artifacts as `obsgen build` made them into generated_dir: with its fleet."""
    journey = load_in_fleet(spec, generated_dir)
    return from_artifacts(journey, emit_all(journey))


def from_artifacts(journey: Journey, artifacts: list[Artifact]) -> Built:
    rules: list[RuleSpec] = []
    groups: list[tuple[str, str]] = []
    dashboards: list[tuple[str, dict]] = []
    alertmanager = None
    for artifact in artifacts:
        if artifact.path.startswith(RULES_PREFIX) and artifact.path.endswith(RULES_SUFFIX):
            for group in yaml.safe_load(artifact.content).get("groups") or []:
                groups.append((artifact.path, group["name"]))
                rules += [_rule(group["name"], artifact.path, rule) for rule in group.get("rules") or []]
        elif artifact.path.startswith(DASHBOARD_PREFIX) and artifact.path.endswith(".json"):
            dashboards.append((artifact.path, json.loads(artifact.content)))
        elif artifact.path == ALERTMANAGER_CONFIG:
            alertmanager = yaml.safe_load(artifact.content)
    return Built(journey, tuple(rules), tuple(groups), tuple(dashboards), alertmanager)


def _rule(group: str, file: str, rule: dict) -> RuleSpec:
    kind = "recording" if "record" in rule else "alerting"
    return RuleSpec(group, file, kind, rule.get("record") or rule["alert"], rule["expr"],
                    tuple(sorted((rule.get("labels") or {}).items())), str(rule.get("for") or ""))
