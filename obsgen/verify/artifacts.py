"""The artifacts under test, built in memory by the same emitters `obsgen build` runs.

verify checks what a build of SPEC produces, byte for byte, whatever is (or is not) on disk:
its rule files, its dashboard, its Alertmanager config.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from obsgen.artifacts.base import Artifact
from obsgen.artifacts.built import from_artifacts as delivery_inputs
from obsgen.artifacts.layout import ALERTMANAGER_CONFIG_PATH, DASHBOARDS_DIR, OUT_DIR, RULES_DIR
from obsgen.build.load import load_in_fleet
from obsgen.build.pipeline import emit_all
from obsgen.model import Journey


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


def build(spec: Path, generated_dir: Path = Path(OUT_DIR)) -> Built:
    """SPEC's artifacts as `obsgen build` made them into generated_dir: with its fleet."""
    journey = load_in_fleet(spec, generated_dir)
    return from_artifacts(journey, emit_all(journey))


def from_artifacts(journey: Journey, artifacts: list[Artifact]) -> Built:
    inputs = delivery_inputs(artifacts)  # the rule files and dashboards, parsed as delivery reads them
    rules: list[RuleSpec] = []
    groups: list[tuple[str, str]] = []
    for rule_file in inputs.rule_files:
        file = f"{RULES_DIR}/{rule_file.name}"
        for group in rule_file.groups:
            groups.append((file, group["name"]))
            rules += [_rule(group["name"], file, rule) for rule in group.get("rules") or []]
    dashboards = tuple((f"{DASHBOARDS_DIR}/{d.name}", d.model) for d in inputs.dashboards)
    config = next((a.content for a in artifacts if a.path == ALERTMANAGER_CONFIG_PATH), None)
    alertmanager = yaml.safe_load(config) if config is not None else None
    return Built(journey, tuple(rules), tuple(groups), dashboards, alertmanager)


def _rule(group: str, file: str, rule: dict) -> RuleSpec:
    kind = "recording" if "record" in rule else "alerting"
    return RuleSpec(group, file, kind, rule.get("record") or rule["alert"], rule["expr"],
                    tuple(sorted((rule.get("labels") or {}).items())), str(rule.get("for") or ""))
