"""The dependency-impact map: data (YAML, JSON) and the picture (Mermaid, DOT, SVG)."""

from __future__ import annotations

from obsgen.artifacts.base import Artifact, ArtifactKind
from obsgen.artifacts.impact.compute import impact_map
from obsgen.artifacts.impact.data import HOW_TO_READ, map_data
from obsgen.artifacts.impact.dot import dot
from obsgen.artifacts.impact.graph import build_graph
from obsgen.artifacts.impact.mermaid import mermaid
from obsgen.artifacts.impact.svg import render_svg
from obsgen.artifacts.layout import IMPACT_DIR
from obsgen.model import Journey
from obsgen.render import dump_json, dump_yaml, header_lines


def emit_impact(journey: Journey) -> list[Artifact]:
    impacts = impact_map(journey)
    data = map_data(impacts)
    graph = build_graph(journey, impacts)
    header = header_lines(journey.source)
    dot_source = dot(graph, header)
    yaml_text = "".join(f"# {line}\n" for line in header + HOW_TO_READ) + dump_yaml(data)
    return [
        Artifact(f"{IMPACT_DIR}/impact.yaml", yaml_text),
        Artifact(f"{IMPACT_DIR}/impact.json", dump_json(data)),
        Artifact(f"{IMPACT_DIR}/impact.mmd", mermaid(graph, header)),
        Artifact(f"{IMPACT_DIR}/impact.dot", dot_source),
        # Drawn by obsgen's own layout, not Graphviz: the same bytes on every machine.
        Artifact(f"{IMPACT_DIR}/impact.svg", render_svg(graph, header)),
    ]


KIND = ArtifactKind("impact map", emit_impact)
