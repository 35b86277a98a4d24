"""The dependency graph in Graphviz DOT: the journey as a row, its dependencies below it."""

from __future__ import annotations

import re

from obsgen.artifacts.impact.graph import LEGEND, Graph, Node

_SHAPES = {  # (shape attributes, fill colour when nothing failed)
    "step": ('shape=box, style="rounded,filled"', "#dbe9f6"),
    "database": ("shape=cylinder, style=filled", "#eeeeee"),
    "queue": ("shape=box3d, style=filled", "#eeeeee"),
    "service": ("shape=hexagon, style=filled", "#eeeeee"),
    "feature": ("shape=ellipse, style=filled", "#ffffff"),
}
_STATE_COLOURS = {"failed": "#d62728", "down": "#ff9896", "affected": "#ffbb78"}


# Characters XML 1.0 forbids: Graphviz copies label text into the SVG, which would then not parse.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def quote(text: str) -> str:
    """A DOT double-quoted string (backslash and quote escaped; newlines become spaces; characters
    an SVG cannot hold become U+FFFD)."""
    text = _NOT_IN_XML.sub("\ufffd", " ".join(text.split()))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _joined(lines: tuple[str, ...]) -> str:
    return "\\n".join(quote(line)[1:-1] for line in lines)


def dot(graph: Graph, header: list[str] | None = None) -> str:
    lines = [f"// {line}" for line in (header or [])]
    lines += ["digraph impact {",
              # Little crossing minimisation: it would reorder the stages; the input order is the journey's.
              f'  graph [rankdir=TB, remincross=false, mclimit=0.01, fontname="Helvetica", labelloc=b, '
              f'fontsize=10, label="{_joined((LEGEND,))}"];',
              '  node [fontname="Helvetica", fontsize=11];',
              '  edge [fontname="Helvetica", fontsize=9];',
              "  subgraph cluster_journey {",
              f'    label="{_joined((graph.title,))}"; style=rounded; color="#4a7fb5"; fontsize=13;',
              "    { rank=same; " + " ".join(n.id for n in graph.stages) + " }"]
    lines += [f"    {_node_line(n)}" for n in graph.stages]
    lines += [f"    {e.source} -> {e.target};" for e in graph.edges if e.style == "flow"]
    lines += ["  }", "  subgraph cluster_dependencies {", '    label="Dependencies"; style=rounded; color="#888888"; fontsize=13;']
    lines += [f"    {_node_line(n)}" for n in graph.dependencies]
    lines.append("  }")
    lines += [f"  {_node_line(n)}" for n in graph.features]
    # dir=back: rank the dependency below what needs it, while the arrowhead still shows the way a failure spreads.
    lines += [f"  {e.target} -> {e.source} [dir=back, style=dashed];" for e in graph.edges if e.style == "spreads"]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _node_line(node: Node) -> str:
    shape, fill = _SHAPES[node.shape]
    extra = ", penwidth=2" if node.state else ""
    extra += ', fontcolor="#ffffff"' if node.state == "failed" else ""
    fill = _STATE_COLOURS.get(node.state, fill)
    return f'{node.id} [label="{_joined(node.label)}", {shape}, fillcolor="{fill}"{extra}];'
