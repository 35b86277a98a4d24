"""The dependency-impact map: data (YAML, JSON) and the picture (Mermaid, DOT, SVG)."""

from __future__ import annotations

from obsgen.emitters import Artifact
from obsgen.impact.compute import impact_map
from obsgen.impact.data import HOW_TO_READ, map_data
from obsgen.impact.dot import dot
from obsgen.impact.graph import build_graph
from obsgen.impact.mermaid import mermaid
from obsgen.impact.svg import picture_skipped, render_svg
from obsgen.model import Journey
from obsgen.render import dump_json, dump_yaml, header_lines

IMPACT_DIR = "impact"


def emit_impact(journey: Journey) -> list[Artifact]:
    impacts = impact_map(journey)
    data = map_data(impacts)
    graph = build_graph(journey, impacts)
    header = header_lines(journey.source)
    dot_source = dot(graph, header)
    yaml_text = "".join(f"# {line}\n" for line in header + HOW_TO_READ) + dump_yaml(data)
    artifacts = [
        Artifact(f"{IMPACT_DIR}/impact.yaml", yaml_text),
        Artifact(f"{IMPACT_DIR}/impact.json", dump_json(data)),
        Artifact(f"{IMPACT_DIR}/impact.mmd", mermaid(graph, header)),
        Artifact(f"{IMPACT_DIR}/impact.dot", dot_source),
    ]
    # Requires Graphviz: a validated build without it fails with an install hint (obsgen.preflight)
    # rather than silently dropping the committed picture; only `--no-validate` leaves it out, and says so.
    if picture_skipped():
        return artifacts
    return artifacts + [Artifact(f"{IMPACT_DIR}/impact.svg", render_svg(dot_source))]

