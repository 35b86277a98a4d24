"""Thanos Ruler: the Prometheus rule files with `partial_response_strategy` on every group.

Thanos Ruler queries through the Querier, which may answer with data missing from an unreachable
StoreAPI. `abort` (Thanos' default, and ours) makes such an evaluation fail instead of alerting or
recording on partial data; `warn` evaluates anyway. Thanos strips the field and hands the rest
of the group to Prometheus' rulefmt, which is what the check below does too.
"""

from __future__ import annotations

from pathlib import Path

from obsgen import yamlio
from obsgen.artifacts.base import Artifact
from obsgen.artifacts.built import DeliveryInputs
from obsgen.model import Journey
from obsgen.targets.options import TargetOptions
from obsgen.targets.rulecheck import check_bodies

FIELD = "partial_response_strategy"
STRATEGIES = ("abort", "warn")


def _with_strategy(group: dict, strategy: str) -> dict:
    # After the name, so the field reads as a property of the group.
    return {"name": group["name"], FIELD: strategy, **{k: v for k, v in group.items() if k != "name"}}


def render(journey: Journey, inputs: DeliveryInputs, options: TargetOptions) -> list[Artifact]:
    return [Artifact(rule_file.name,
                     yamlio.dump({"groups": [_with_strategy(g, options.thanos_partial_response) for g in rule_file.groups]},
                               journey.source))
            for rule_file in inputs.rule_files]


def check_rule_file(document: object) -> list[str]:
    if not isinstance(document, dict) or not isinstance(document.get("groups"), list):
        return ["expected a mapping with a groups list"]
    problems = []
    for group in document["groups"]:
        strategy = group.get(FIELD) if isinstance(group, dict) else None
        if not isinstance(strategy, str) or strategy.lower() not in STRATEGIES:
            name = group.get("name") if isinstance(group, dict) else group
            problems.append(f"group {name!r}: {FIELD} must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
    return problems


def check(directory: Path, journey: Journey, options: TargetOptions) -> list[str]:
    problems: list[str] = []
    bodies: dict[str, dict] = {}
    for path in sorted(directory.glob("*.yaml")):
        document = yamlio.load(path.read_text(encoding="utf-8"))
        problems += [f"thanos: {path.name}: {p}" for p in check_rule_file(document)]
        if isinstance(document, dict):
            groups = [{k: v for k, v in g.items() if k != FIELD} for g in document.get("groups") or [] if isinstance(g, dict)]
            bodies[f"thanos: {path.name}"] = {"groups": groups}
    return problems + check_bodies(bodies)
