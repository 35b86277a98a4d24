"""The impact picture as SVG, drawn by obsgen from its own layout (obsgen.artifacts.impact.layout).

Same graph, same bytes, on every machine: no Graphviz, no fonts measured, numbers written with
one decimal. Each node is a `<g class="node">` whose `<title>` is its id (as Graphviz writes
them), so tools and tests find nodes the same way in both. The DOT file stays in the output for
those who want Graphviz's own drawing (`dot -Tsvg impact.dot`).
"""

from __future__ import annotations

from html import escape

from obsgen.artifacts.impact.graph import LEGEND, Edge, Graph, Node
from obsgen.artifacts.impact.layout import FONT_SIZE, LINE_HEIGHT, MARGIN, Box, Layout, layout, text_width

_FILLS = {"step": "#dbe9f6", "database": "#eeeeee", "queue": "#eeeeee", "service": "#eeeeee", "feature": "#ffffff"}
_STATE_FILLS = {"failed": "#d62728", "down": "#ff9896", "affected": "#ffbb78"}
_FONT = 'font-family="Helvetica,Arial,sans-serif"'
LEGEND_HEIGHT = 22


def n(value: float) -> str:
    """A coordinate: one decimal, so the bytes never depend on float printing."""
    return f"{value:.1f}"


def render_svg(graph: Graph, header: list[str] | None = None) -> str:
    placed = layout(graph)
    width = max(placed.width, text_width(LEGEND, 10) + 2 * MARGIN)
    height = placed.height + LEGEND_HEIGHT
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    lines += [f"<!-- {escape(line).replace('--', '- -')} -->" for line in header or []]
    lines += [f'<svg xmlns="http://www.w3.org/2000/svg" width="{n(width)}pt" height="{n(height)}pt" '
              f'viewBox="0 0 {n(width)} {n(height)}">',
              f"<title>{escape(graph.title)}</title>",
              '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
              'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#000000"/></marker></defs>',
              f'<rect width="{n(width)}" height="{n(height)}" fill="#ffffff"/>']
    lines += _clusters(graph, placed)
    lines += [_edge(edge, placed) for edge in graph.edges]
    lines += [_node(node, placed.nodes[node.id]) for node in graph.stages + graph.dependencies + graph.features]
    lines.append(f'<text x="{n(width / 2)}" y="{n(height - 8)}" text-anchor="middle" {_FONT} font-size="10">'
                 f"{escape(LEGEND)}</text>")
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


def _clusters(graph: Graph, placed: Layout) -> list[str]:
    journey = placed.journey
    clusters = [("cluster_journey", graph.title, journey, "#4a7fb5", journey.y + 17)]
    if (deps := placed.dependencies) is not None:
        clusters.append(("cluster_dependencies", "Dependencies", deps, "#888888", deps.bottom - 9))
    return [f'<g class="cluster"><title>{name}</title>'
            f'<rect x="{n(box.x)}" y="{n(box.y)}" width="{n(box.width)}" height="{n(box.height)}" rx="6" '
            f'fill="none" stroke="{colour}"/>'
            f'<text x="{n(box.centre)}" y="{n(title_y)}" text-anchor="middle" {_FONT} font-size="13">'
            f"{escape(label)}</text></g>"
            for name, label, box, colour, title_y in clusters]


def _edge(edge: Edge, placed: Layout) -> str:
    source, target = placed.nodes[edge.source], placed.nodes[edge.target]
    if edge.style == "flow":  # neighbouring stages: a short solid arrow between them
        y = source.y + source.height / 2
        d = f"M{n(source.x + source.width)},{n(y)} L{n(target.x)},{n(y)}"
        return f'<path class="edge flow" d="{d}" fill="none" stroke="#000000" marker-end="url(#arrow)"/>'
    # A failure spreads from a dependency up to what needs it: from the lower box's top to the upper's bottom.
    low, high = (source, target) if source.y > target.y else (target, source)
    x1, y1, x2, y2 = low.centre, low.y, high.centre, high.bottom
    middle = (y1 + y2) / 2
    d = f"M{n(x1)},{n(y1)} C{n(x1)},{n(middle)} {n(x2)},{n(middle)} {n(x2)},{n(y2)}"
    marker = "marker-end" if low is source else "marker-start"
    return (f'<path class="edge spreads" d="{d}" fill="none" stroke="#000000" stroke-dasharray="5,3" '
            f'{marker}="url(#arrow)"/>')


def _node(node: Node, box: Box) -> str:
    fill = _STATE_FILLS.get(node.state, _FILLS[node.shape])
    stroke = f' stroke="#000000" stroke-width="{2 if node.state else 1}"'
    colour = "#ffffff" if node.state == "failed" else "#000000"
    first = box.y + box.height / 2 - (len(node.label) - 1) * LINE_HEIGHT / 2 + 4
    texts = "".join(f'<text x="{n(box.centre)}" y="{n(first + i * LINE_HEIGHT)}" text-anchor="middle" {_FONT} '
                    f'font-size="{FONT_SIZE}" fill="{colour}">{escape(line)}</text>'
                    for i, line in enumerate(node.label))
    return f'<g class="node"><title>{node.id}</title>{_shape(node.shape, box, fill, stroke)}{texts}</g>'


def _shape(shape: str, box: Box, fill: str, stroke: str) -> str:
    x, y, w, h = box.x, box.y, box.width, box.height
    right, bottom = x + w, y + h
    if shape == "feature":
        return f'<ellipse cx="{n(box.centre)}" cy="{n(y + h / 2)}" rx="{n(w / 2)}" ry="{n(h / 2)}" fill="{fill}"{stroke}/>'
    if shape == "service":
        points = [(x, y + h / 2), (x + 14, y), (right - 14, y), (right, y + h / 2), (right - 14, bottom), (x + 14, bottom)]
        return f'<polygon points="{" ".join(f"{n(px)},{n(py)}" for px, py in points)}" fill="{fill}"{stroke}/>'
    if shape == "database":  # a cylinder: body and bottom curve, then the top ellipse's front edge
        d = (f"M{n(x)},{n(y + 5)} C{n(x)},{n(y - 2)} {n(right)},{n(y - 2)} {n(right)},{n(y + 5)} "
             f"L{n(right)},{n(bottom - 5)} C{n(right)},{n(bottom + 2)} {n(x)},{n(bottom + 2)} {n(x)},{n(bottom - 5)} Z "
             f"M{n(x)},{n(y + 5)} C{n(x)},{n(y + 12)} {n(right)},{n(y + 12)} {n(right)},{n(y + 5)}")
        return f'<path d="{d}" fill="{fill}"{stroke}/>'
    if shape == "queue":  # a box with depth
        d = (f"M{n(x)},{n(y + 4)} L{n(right - 4)},{n(y + 4)} L{n(right - 4)},{n(bottom)} L{n(x)},{n(bottom)} Z "
             f"M{n(x)},{n(y + 4)} L{n(x + 4)},{n(y)} L{n(right)},{n(y)} L{n(right)},{n(bottom - 4)} L{n(right - 4)},{n(bottom)} "
             f"M{n(right - 4)},{n(y + 4)} L{n(right)},{n(y)}")
        return f'<path d="{d}" fill="{fill}"{stroke}/>'
    r = 8  # step: a rounded box
    d = (f"M{n(x + r)},{n(y)} L{n(right - r)},{n(y)} Q{n(right)},{n(y)} {n(right)},{n(y + r)} "
         f"L{n(right)},{n(bottom - r)} Q{n(right)},{n(bottom)} {n(right - r)},{n(bottom)} "
         f"L{n(x + r)},{n(bottom)} Q{n(x)},{n(bottom)} {n(x)},{n(bottom - r)} L{n(x)},{n(y + r)} Q{n(x)},{n(y)} {n(x + r)},{n(y)} Z")
    return f'<path d="{d}" fill="{fill}"{stroke}/>'
