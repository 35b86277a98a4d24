"""Load YAML into plain Python data while remembering where every key and value came from.

PyYAML's composer keeps line/column marks on nodes; we keep them in a side table keyed by
the JSON path of each value, so schema and semantic errors can point at file:line:column.
Duplicate keys are reported instead of silently keeping the last one, as PyYAML would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from obsgen.errors import Diagnostic

Path = tuple[Any, ...]


@dataclass
class PositionedDocument:
    file: str
    data: Any
    value_marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)

    def at(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """Best position for a path: the exact node, else its nearest ancestor."""
        table = self.key_marks if key else self.value_marks
        for depth in range(len(path), -1, -1):
            prefix = tuple(path[:depth])
            if prefix in table:
                return table[prefix]
            if prefix in self.value_marks:
                return self.value_marks[prefix]
        return (1, 1)

    def diagnostic(self, path: Path, message: str, *, key: bool = False) -> Diagnostic:
        line, column = self.at(path, key=key)
        return Diagnostic(self.file, line, column, message)


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, doc: PositionedDocument):
        self.doc = doc
        self.constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.doc.value_marks[path] = _mark(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.constructor.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict:
        result: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.doc.problems.append(
                    Diagnostic(self.doc.file, *_mark(key_node), "YAML merge keys (<<) are not supported in specs")
                )
                continue
            key = self.constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                first = self.doc.key_marks[path + (key,)]
                self.doc.problems.append(
                    Diagnostic(
                        self.doc.file,
                        *_mark(key_node),
                        f"duplicate key {key!r} (first defined at line {first[0]})",
                    )
                )
                continue
            self.doc.key_marks[path + (key,)] = _mark(key_node)
            result[key] = self.build(value_node, path + (key,))
        return result


def load_positioned(text: str, file: str) -> PositionedDocument:
    """Parse one YAML document; syntax errors become diagnostics rather than exceptions."""
    doc = PositionedDocument(file=file, data=None)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        doc.problems.append(Diagnostic(file, line, column, f"YAML syntax error: {problem}"))
        return doc
    except yaml.YAMLError as exc:  # e.g. more than one document
        doc.problems.append(Diagnostic(file, 1, 1, f"YAML error: {exc}"))
        return doc
    if node is None:
        doc.problems.append(Diagnostic(file, 1, 1, "the spec is empty"))
        return doc
    doc.data = _Builder(doc).build(node, ())
    return doc
