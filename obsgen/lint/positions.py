"""Map positions inside a YAML scalar back to file line:col.

PromQL analysis finds problems at an offset inside an expression string; the
user wants the file position.  PyYAML nodes keep marks for where a scalar
starts, and for the common styles (one-line plain or quoted, ``|`` literal
block) the offset maps exactly.  Folded or escaped scalars fall back to the
scalar's start: still the right rule, just not the right column.
"""

from __future__ import annotations

from dataclasses import dataclass

from yaml.nodes import Node, ScalarNode


@dataclass(frozen=True)
class Pos:
    line: int  # 1-based
    col: int | None  # 1-based; None when only the line is known


def node_pos(node: Node) -> Pos:
    return Pos(node.start_mark.line + 1, node.start_mark.column + 1)


def offset_to_line_col(text: str, offset: int) -> tuple[int, int]:
    """0-based offset → 0-based (line, column) inside ``text``."""
    before = text[:offset]
    line = before.count("\n")
    return line, offset - (before.rfind("\n") + 1)


def line_col_to_offset(text: str, line: int, col: int) -> int:
    """1-based (line, col) inside ``text`` (promtool's expression positions) → 0-based offset."""
    lines = text.split("\n")
    line = max(1, min(line, len(lines)))
    return sum(len(x) + 1 for x in lines[: line - 1]) + max(col - 1, 0)


def scalar_offset_pos(node: ScalarNode, source_lines: list[str], offset: int) -> Pos:
    """File position of character ``offset`` of the scalar ``node``'s value."""
    start = node.start_mark
    if node.style in ("|",):
        return _literal_block_pos(node, source_lines, offset)
    if start.line != node.end_mark.line or start.line >= len(source_lines):
        return node_pos(node)
    raw = source_lines[start.line][start.column : node.end_mark.column]
    if node.style in ("'", '"'):
        raw, shift = raw[1:-1], 1
    else:
        shift = 0
    if raw != node.value:  # escapes or folding: offsets do not line up
        return node_pos(node)
    return Pos(start.line + 1, start.column + 1 + shift + offset)


def _literal_block_pos(node: ScalarNode, source_lines: list[str], offset: int) -> Pos:
    value_line, value_col = offset_to_line_col(node.value, offset)
    first = node.start_mark.line + 1  # content starts on the line after the "|" indicator
    indent = _block_indent(source_lines, first, node.end_mark.line)
    line = first + value_line
    if indent is None or line >= len(source_lines):
        return node_pos(node)
    return Pos(line + 1, indent + value_col + 1)


def _block_indent(source_lines: list[str], first: int, last: int) -> int | None:
    for line in source_lines[first : last + 1]:
        if line.strip():
            return len(line) - len(line.lstrip(" "))
    return None
