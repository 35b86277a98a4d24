"""Where each node of the impact picture goes, computed by obsgen itself.

The committed SVG used to be Graphviz's layout, which moves between Graphviz versions: the same spec
gave different bytes on different machines, and `build --check` failed for a Graphviz upgrade. This
layout is plain arithmetic on the graph (no fonts are measured, text width is estimated from its
length), so the picture is the same bytes everywhere and needs no Graphviz at all.

Rows from the top: the journey's stages left to right in journey order (with the features that
dependencies serve outside the stages to their right), then the dependencies, each row below
everything that needs it (a dependency's own dependencies go lower). Within a row a dependency
sits near the middle of what it connects to, so the dashed arrows cross little.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from obsgen.artifacts.impact.graph import Graph, Node

FONT_SIZE = 11
CHAR_WIDTH = 0.62 * FONT_SIZE  # generous for Helvetica/Arial: labels never overflow their shape
LINE_HEIGHT = 14
PAD_X, PAD_Y = 14, 10
GAP_X, ROW_GAP = 18, 54
CLUSTER_PAD, CLUSTER_TITLE = 12, 22
MARGIN = 8


@dataclass(frozen=True)
class Box:
    x: float  # left
    y: float  # top
    width: float
    height: float

    @property
    def centre(self) -> float:
        return self.x + self.width / 2

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass(frozen=True)
class Layout:
    nodes: dict[str, Box]  # node id -> its box
    journey: Box  # the cluster around the stages
    dependencies: Box | None  # the cluster around the dependencies (None when there are none)
    width: float
    height: float


def text_width(text: str, font_size: float = FONT_SIZE) -> float:
    return len(text) * CHAR_WIDTH * font_size / FONT_SIZE


def node_size(node: Node) -> tuple[float, float]:
    width = max(text_width(line) for line in node.label) + 2 * PAD_X
    if node.shape in ("service", "feature"):
        width += 2 * PAD_X  # hexagon points and ellipse curves take room from the text
    return round(width, 1), len(node.label) * LINE_HEIGHT + 2 * PAD_Y + (8 if node.shape == "database" else 0)


def dependency_rows(graph: Graph) -> list[list[Node]]:
    """Dependencies by depth: a dependency one row below the lowest dependency that needs it."""
    needers: dict[str, list[str]] = {d.id: [] for d in graph.dependencies}
    for edge in graph.edges:
        if edge.style == "spreads" and edge.target in needers and edge.source in needers:
            needers[edge.source].append(edge.target)
    depth: dict[str, int] = {}

    def depth_of(node_id: str, seen: frozenset[str] = frozenset()) -> int:
        if node_id not in depth:  # the spec rejects cycles; `seen` keeps a bad graph from recursing forever
            depth[node_id] = 1 + max((depth_of(n, seen | {node_id}) for n in needers[node_id] if n not in seen),
                                     default=-1)
        return depth[node_id]

    rows: list[list[Node]] = [[] for _ in range(1 + max((depth_of(d.id) for d in graph.dependencies), default=-1))]
    for dependency in graph.dependencies:
        rows[depth_of(dependency.id)].append(dependency)
    return rows


def layout(graph: Graph) -> Layout:
    nodes: dict[str, Box] = {}
    top = MARGIN + CLUSTER_PAD + CLUSTER_TITLE
    x = _place_row(nodes, graph.stages, MARGIN + CLUSTER_PAD, top)
    row_bottom = max((nodes[n.id].bottom for n in graph.stages), default=top)
    journey = Box(MARGIN, MARGIN, max(x - GAP_X + CLUSTER_PAD - MARGIN, text_width(graph.title, 13) + 2 * CLUSTER_PAD),
                  row_bottom + CLUSTER_PAD - MARGIN)
    _place_row(nodes, graph.features, journey.x + journey.width + GAP_X, top)
    right = max([journey.x + journey.width] + [b.x + b.width for b in nodes.values()])
    dependencies = _place_dependencies(nodes, graph, journey.bottom + ROW_GAP)
    if dependencies is not None:
        right = max(right, dependencies.x + dependencies.width)
    bottom = dependencies.bottom if dependencies is not None else journey.bottom
    return Layout(nodes, journey, dependencies, round(right + MARGIN, 1), round(bottom + MARGIN, 1))


def _place_row(nodes: dict[str, Box], row, x: float, top: float, wanted: Callable[[Node], float | None] = None
               ) -> float:
    """Place nodes left to right from x, vertically centred on the row, each centred on wanted(node)
    when there is room; returns the next free x."""
    height = max((node_size(n)[1] for n in row), default=0)
    for node in row:
        width, node_height = node_size(node)
        centre = wanted(node) if wanted else None
        x = max(x, centre - width / 2) if centre is not None else x
        nodes[node.id] = Box(round(x, 1), round(top + (height - node_height) / 2, 1), width, node_height)
        x += width + GAP_X
    return x


def _place_dependencies(nodes: dict[str, Box], graph: Graph, cluster_top: float) -> Box | None:
    """The dependency rows, each dependency as near the middle of what it connects to as the row
    allows; the cluster's title goes below them, out of the way of the arrows leaving upwards."""
    rows = dependency_rows(graph)
    if not rows:
        return None
    links = [(e.source, e.target) for e in graph.edges if e.style == "spreads"]
    top = cluster_top + CLUSTER_PAD
    for row in rows:
        ordered = sorted(row, key=lambda n: _pull(n.id, links, nodes) or 0.0)
        _place_row(nodes, ordered, MARGIN + CLUSTER_PAD, top, lambda n: _pull(n.id, links, nodes))
        top = max(nodes[n.id].bottom for n in row) + ROW_GAP
    placed = [nodes[d.id] for d in graph.dependencies]
    right = max(b.x + b.width for b in placed)
    return Box(MARGIN, cluster_top, right + CLUSTER_PAD - MARGIN,
               max(b.bottom for b in placed) + CLUSTER_TITLE + CLUSTER_PAD / 2 - cluster_top)


def _pull(node_id: str, links: list[tuple[str, str]], nodes: dict[str, Box]) -> float | None:
    """The mean x of the placed nodes a dependency connects to (it goes near them); None when none."""
    xs = [nodes[other].centre for a, b in links for me, other in ((a, b), (b, a))
          if me == node_id and other in nodes]
    return sum(xs) / len(xs) if xs else None
