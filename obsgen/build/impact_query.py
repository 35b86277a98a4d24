"""`obsgen impact SPEC [DEPENDENCY]`: answer "what breaks when X fails" in the format asked for."""

from __future__ import annotations

from pathlib import Path

from obsgen.artifacts.impact.compute import impact_map
from obsgen.artifacts.impact.data import map_data
from obsgen.artifacts.impact.dot import dot
from obsgen.artifacts.impact.graph import build_graph
from obsgen.artifacts.impact.mermaid import mermaid
from obsgen.artifacts.impact.svg import render_svg
from obsgen.artifacts.impact.text import map_text
from obsgen.build.load import load_in_fleet
from obsgen.errors import ObsgenError
from obsgen.render import dump_json, dump_yaml

FORMATS = ("text", "yaml", "json", "mermaid", "dot", "svg")


class UnknownDependency(ObsgenError):
    """A name that is not one of the spec's dependencies (a usage error, like a bad spec)."""

    exit_code = 2


def render(spec: Path, dependency: str | None, output_format: str) -> str:
    journey = load_in_fleet(spec)  # a shared dependency's cause is the fleet's alert
    known = [d.name for d in journey.dependencies]
    if dependency is not None and dependency not in known:
        raise UnknownDependency(f"unknown dependency {dependency!r} in journey {journey.name!r}; "
                                f"dependencies are: {', '.join(known) or 'none'}")
    impacts = impact_map(journey)
    if output_format == "text":
        return map_text(impacts, dependency)
    if output_format == "yaml":
        return dump_yaml(map_data(impacts, dependency))
    if output_format == "json":
        return dump_json(map_data(impacts, dependency))
    graph = build_graph(journey, impacts, dependency)
    return {"mermaid": mermaid, "dot": dot, "svg": render_svg}[output_format](graph)
