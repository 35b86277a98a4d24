"""The picture's content, independent of the drawing language: Mermaid and DOT draw the same graph.

Nodes are the journey's stages (in order), its dependencies, and the features dependencies serve
outside the stages. Arrows point the way a failure spreads: from a dependency to what needs it.
With a failed dependency, nodes are marked failed (it), down (dependencies that need it) or
affected (stages and features), so the picture answers "what breaks when X fails".
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from obsgen.artifacts.impact.compute import DependencyImpact, ImpactMap
from obsgen.model import Journey

LEGEND = "solid arrows: journey order; dashed arrows: a failure spreads from a dependency to what needs it"


@dataclass(frozen=True)
class Node:
    id: str  # positional (s0, d1, f0): safe in every diagram language whatever the spec names are
    label: tuple[str, ...]  # lines
    group: str  # stage | dependency | feature
    shape: str  # step | database | queue | service | feature
    state: str = ""  # "" | failed | down | affected


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    style: str  # flow (journey order) | spreads (failure propagation)


@dataclass(frozen=True)
class Graph:
    title: str
    stages: tuple[Node, ...]
    dependencies: tuple[Node, ...]
    features: tuple[Node, ...]
    edges: tuple[Edge, ...]


_SHAPES = {"postgresql": "database", "rabbitmq": "queue"}


def _state(name: str, impact: DependencyImpact | None, affected: set[str]) -> str:
    if impact is None:
        return ""
    if name == impact.dependency:
        return "failed"
    if name in impact.also_down:
        return "down"
    return "affected" if name in affected else ""


def build_graph(journey: Journey, impacts: ImpactMap, failed: str | None = None) -> Graph:
    impact = impacts.of(failed) if failed else None
    touched = set(impact.stage_names) | set(impact.features) if impact else set()
    stage_ids = {s.name: f"s{i}" for i, s in enumerate(journey.stages)}
    dep_ids = {d.name: f"d{i}" for i, d in enumerate(journey.dependencies)}
    stage_features = {s.feature for s in journey.stages}
    extra = [f for d in journey.dependencies for f in d.features if f not in stage_features]
    feature_ids = {f: f"f{i}" for i, f in enumerate(dict.fromkeys(extra))}

    stages = tuple(Node(stage_ids[s.name], (s.title, f"feature: {s.feature}"), "stage", "step",
                        _state(s.name, impact, touched)) for s in journey.stages)
    deps = tuple(Node(dep_ids[d.name], (d.title, d.kind), "dependency", _SHAPES.get(d.kind, "service"),
                      _state(d.name, impact, set())) for d in journey.dependencies)
    features = tuple(Node(fid, (f"feature: {f}",), "feature", "feature", _state(f, impact, touched))
                     for f, fid in feature_ids.items())

    edges = [Edge(stage_ids[a.name], stage_ids[b.name], "flow") for a, b in pairwise(journey.stages)]
    for dep in journey.dependencies:
        edges += [Edge(dep_ids[needed], dep_ids[dep.name], "spreads") for needed in dep.depends_on]
        edges += [Edge(dep_ids[dep.name], stage_ids[s], "spreads") for s in dep.stages]
        edges += [Edge(dep_ids[dep.name], feature_ids[f], "spreads") for f in dep.features if f in feature_ids]
    return Graph(journey.title, stages, deps, features, tuple(edges))
