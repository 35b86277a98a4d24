"""The dependency graph as a Mermaid flowchart (GitHub renders it in Markdown)."""

from __future__ import annotations

from obsgen.artifacts.impact.graph import LEGEND, Graph, Node

_SHAPES = {  # Mermaid's opening and closing brackets per node shape
    "step": ("(", ")"),
    "database": ("[(", ")]"),
    "queue": ("[[", "]]"),
    "service": ("{{", "}}"),
    "feature": ("([", "])"),
}
_STATE_STYLES = {
    "failed": "fill:#d62728,stroke:#7f0000,color:#ffffff",
    "down": "fill:#ff9896,stroke:#d62728,color:#000000",
    "affected": "fill:#ffbb78,stroke:#ff7f0e,color:#000000",
}
_ENTITIES = (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"))


def escape(text: str) -> str:
    """Text safe inside a quoted Mermaid label (entity codes, as Mermaid documents them)."""
    text = " ".join(text.split())
    for raw, entity in _ENTITIES:
        text = text.replace(raw, entity)
    return text


def _node(node: Node) -> str:
    opening, closing = _SHAPES[node.shape]
    label = "<br/>".join(escape(line) for line in node.label)
    state = f":::{node.state}" if node.state else ""
    return f'{node.id}{opening}"{label}"{closing}{state}'


def mermaid(graph: Graph, header: list[str] | None = None) -> str:
    lines = [f"%% {line}" for line in (header or [])]
    # LR: the journey reads left to right; Mermaid ignores a subgraph's own direction once its
    # nodes link outside it, so the whole chart takes it.
    lines += [f"%% {LEGEND}", "flowchart LR"]
    lines.append(f'  subgraph journey["{escape(graph.title)}"]')
    lines += [f"    {_node(n)}" for n in graph.stages]
    lines += [f"    {e.source} --> {e.target}" for e in graph.edges if e.style == "flow"]
    lines.append("  end")
    lines.append('  subgraph dependencies["Dependencies"]')
    lines += [f"    {_node(n)}" for n in graph.dependencies]
    lines.append("  end")
    lines += [f"  {_node(n)}" for n in graph.features]
    lines += [f"  {e.source} -.-> {e.target}" for e in graph.edges if e.style == "spreads"]
    used = sorted({n.state for n in graph.stages + graph.dependencies + graph.features if n.state})
    lines += [f"  classDef {state} {_STATE_STYLES[state]}" for state in used]
    return "\n".join(lines) + "\n"
