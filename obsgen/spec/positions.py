"""Load YAML into plain Python data while remembering where every key and value came from.

PyYAML's composer keeps line/column marks on nodes; we keep them in a side table keyed by
the JSON path of each value, so schema and semantic errors can point at file:line:column.
Duplicate keys are reported instead of silently keeping the last one, as PyYAML would.

A spec may come from anyone, so the loader is also the first line of defence against hostile
YAML: nesting is bounded while composing (Python's recursion would fail first), aliases are
expanded against a budget of values (a 1 KB "billion laughs" document would otherwise expand to
gigabytes), and only the plain JSON-like tags are accepted. Each refusal is a positioned problem.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from obsgen.errors import Diagnostic

Path = tuple[Any, ...]

# Far deeper than any spec (the deepest real path is about eight levels) and far below the depth
# at which PyYAML's recursive composer exhausts Python's stack.
MAX_DEPTH = 64
# Values that YAML aliases may expand to in one spec: re-using a few matchers or alert settings is
# far below this, a 1 KB "billion laughs" document far above it. Values written out are bounded by
# the loader's size limit instead.
MAX_ALIASED_VALUES = 10_000
# Prometheus stores sample values as float64 and durations as int64 milliseconds: no spec number
# means anything beyond an int64.
MAX_INTEGER = 2**63 - 1

# The tags a spec may carry, explicitly or as PyYAML resolves plain scalars. Anything else
# (`!vault`, `!!python/...`, `!!binary`, `!!set`) is a value obsgen could not pass on faithfully.
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map",
}
# YAML 1.1 turns unquoted dates into date objects; a spec has no date fields, so keep the text.
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


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


def _position(mark: yaml.Mark | None) -> tuple[int, int]:
    """Line and column as editors count them: YAML's own marks also break lines at NEL, U+2028 and U+2029,
    which would point past the end of the file (the composing loaders give every mark its text)."""
    if mark is None:
        return (1, 1)
    if mark.buffer is None:  # a mark from outside the composing loaders: all YAML says
        return (mark.line + 1, mark.column + 1)
    starts = _line_starts(mark.buffer)
    line = bisect.bisect_right(starts, mark.index)
    return (line, mark.index - starts[line - 1] + 1)


@functools.lru_cache(maxsize=4)
def _line_starts(text: str) -> list[int]:
    return [0] + [match.end() for match in re.finditer("\n", text)]


def _mark(node: yaml.Node) -> tuple[int, int]:
    return _position(node.start_mark)


class _Refused(Exception):
    """Input the loader will not process further; carries the one positioned problem."""

    def __init__(self, position: tuple[int, int], message: str):
        super().__init__(message)
        self.position = position
        self.message = message


@dataclass(frozen=True)
class _AliasUse:
    """Where an alias (`*name`) was written, and the node it stands for: the composer shares
    the node itself, which would lose the alias' own position."""

    node: yaml.Node
    start_mark: yaml.Mark


if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _EventLoader(Composer, CParser, SafeConstructor, Resolver):
        """libyaml scans and parses (PyYAML's pure-Python scanner reads a few hundred KB a second);
        PyYAML's Python composer builds the nodes, so the depth bound and alias marks below apply."""

        def __init__(self, text: str):
            CParser.__init__(self, text)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            Composer.__init__(self)

    # libyaml reports the offset of an unprintable character in UTF-8 bytes, PyYAML's reader in characters.
    _BYTE_OFFSETS = True
else:
    _EventLoader = yaml.SafeLoader
    _BYTE_OFFSETS = False


def _composing(base: type) -> type:
    class ComposingLoader(base):
        """A composer with a depth bound, keeping the position of every alias use."""

        def __init__(self, text: str):
            super().__init__(text)
            self.depth = 0
            self.text = text

        def peek_event(self):  # noqa: ANN201 - PyYAML's signature
            return self._located(super().peek_event())

        def get_event(self):  # noqa: ANN201 - PyYAML's signature
            return self._located(super().get_event())

        def _located(self, event):  # noqa: ANN001, ANN202
            """libyaml's marks carry no text, only a character index and its own line count (which also
            breaks lines at NEL, U+2028, U+2029): give them the text, so _position counts as editors do."""
            for name in ("start_mark", "end_mark"):
                mark = getattr(event, name)
                if mark is not None and mark.buffer is None:
                    setattr(event, name, yaml.Mark(mark.name, mark.index, mark.line, mark.column, self.text, mark.index))
            return event

        def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                return _AliasUse(super().compose_node(parent, index), mark)
            if self.depth >= MAX_DEPTH:
                raise _Refused(_position(self.peek_event().start_mark),
                               f"the spec nests deeper than {MAX_DEPTH} levels")
            self.depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

        def fetch_flow_collection_start(self, token_class):  # noqa: ANN001 - PyYAML's signature
            # The scanner looks up to 1024 characters ahead for a simple key, and its bookkeeping is
            # linear in the flow depth at each token: 1000 unclosed '[' took a second before the composer
            # saw the depth. Refuse at the bracket that goes too deep instead.
            # Counted as the composer counts: the enclosing block collections are levels too.
            if self.flow_level + len(self.indents) >= MAX_DEPTH:
                raise _Refused(_position(self.get_mark()), f"the spec nests deeper than {MAX_DEPTH} levels")
            super().fetch_flow_collection_start(token_class)

    return ComposingLoader


_ComposingLoader = _composing(_EventLoader)
# libyaml from PyYAML 6.0.4 on stops at its own flow-depth limit (1000) before the composer sees depth 64, with
# a message of its own; the pure-Python scanner is then asked again, so the refusal is obsgen's own everywhere.
_PurePythonLoader = _composing(yaml.SafeLoader)
LIBYAML_DEPTH_ERROR = "exceeded maximum nesting depth"


class _Builder:
    def __init__(self, doc: PositionedDocument):
        self.doc = doc
        self.constructor = yaml.SafeLoader("")
        self.aliased_values = 0
        self.expanding: list[_AliasUse] = []  # the aliases being expanded, outermost first

    def build(self, node: yaml.Node | _AliasUse, path: Path) -> Any:
        self._count(node, path)
        if isinstance(node, _AliasUse):
            self.expanding.append(node)
            try:
                return self.build(node.node, path)
            finally:
                self.expanding.pop()
        self.doc.value_marks[path] = _mark(node)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
            raise _Refused(_mark(node), _unsupported_tag(node.tag))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _count(self, node: yaml.Node | _AliasUse, path: Path) -> None:
        # The composer bounds the nesting it reads; only an alias inside its own anchor (`&a [*a]`)
        # nests deeper when expanded.
        if isinstance(node, _AliasUse) and len(path) > MAX_DEPTH:
            raise _Refused(_mark(node), f"the spec nests deeper than {MAX_DEPTH} levels "
                                        "(does a YAML alias refer to itself?)")
        if isinstance(node, _AliasUse) or not self.expanding:
            return
        self.aliased_values += 1
        if self.aliased_values > MAX_ALIASED_VALUES:
            raise _Refused(_mark(self.expanding[0]), f"YAML aliases in the spec expand to more than "
                                                     f"{MAX_ALIASED_VALUES} values")

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag == _TIMESTAMP_TAG and not node.style:  # plain: None from PyYAML, '' from libyaml
            return node.value
        if node.tag not in _PLAIN_TAGS:
            raise _Refused(_mark(node), _unsupported_tag(node.tag))
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (ValueError, KeyError, yaml.YAMLError):  # `!!int x`, `!!bool maybe`, an integer of 5000 digits
            kind = node.tag.rsplit(":", 1)[-1]
            problem = "is too large" if kind == "int" and len(node.value) > 20 else f"is not a valid {kind}"
            raise _Refused(_mark(node), f"{_excerpt(node.value)} {problem}") from None
        if isinstance(value, str):
            return _checked_text(value, node)
        return _checked_number(value, node)

    def _key(self, node: yaml.Node | _AliasUse) -> str:
        node = node.node if isinstance(node, _AliasUse) else node
        if not isinstance(node, yaml.ScalarNode):
            raise _Refused(_mark(node), "a mapping key must be plain text, not a list or a mapping")
        key = self._scalar(node)
        return key if isinstance(key, str) else str(key)

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict:
        result: dict = {}
        for key_node, value_node in node.value:
            if getattr(key_node, "tag", None) == "tag:yaml.org,2002:merge":
                self.doc.problems.append(
                    Diagnostic(self.doc.file, *_mark(key_node), "YAML merge keys (<<) are not supported in specs")
                )
                continue
            key = self._key(key_node)
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


def _checked_text(value: str, node: yaml.Node) -> str:
    """A `"\\ud800"` escape gives half a UTF-16 pair, which no output file can encode."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _Refused(_mark(node), f"{_excerpt(node.value)} holds U+{ord(value[exc.start]):04X}, "
                                    "half of a UTF-16 surrogate pair, which is not text") from None
    return value


def _checked_number(value: Any, node: yaml.Node) -> Any:
    """NaN and infinities compare false with every bound a schema sets, so they would pass
    validation and poison every threshold downstream; integers beyond int64 mean nothing to Prometheus."""
    if isinstance(value, float) and not math.isfinite(value):
        raise _Refused(_mark(node), f"{node.value!r} is not a finite number")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER:
        raise _Refused(_mark(node), f"{_excerpt(node.value)} is too large (at most {MAX_INTEGER})")
    return value


def _unsupported_tag(tag: str) -> str:
    return (f"unsupported YAML tag {tag!r}: specs use plain YAML values "
            "(strings, numbers, true/false, lists and mappings)")


def _excerpt(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


def load_positioned(text: str, file: str) -> PositionedDocument:
    """Parse one YAML document; syntax errors and refused input become diagnostics rather than exceptions."""
    doc = PositionedDocument(file=file, data=None)
    _guarded(doc, text, lambda: _build_single(doc, text))
    return doc


def load_positioned_documents(text: str, file: str) -> list[PositionedDocument]:
    """Parse every document of a multi-document stream (`---` separated, as OpenSLO files are), each with its
    own positions; a problem that stops the stream is reported on a document of its own."""
    docs: list[PositionedDocument] = []
    failed = PositionedDocument(file=file, data=None)
    _guarded(failed, text, lambda: _build_all(docs, text, file))
    return docs + ([failed] if failed.problems else [])


def _guarded(doc: PositionedDocument, text: str, build) -> None:
    file = doc.file
    try:
        build()
    except _Refused as refused:
        doc.problems.append(Diagnostic(file, *refused.position, refused.message))
    except yaml.MarkedYAMLError as exc:
        line, column = _position(exc.problem_mark or exc.context_mark)
        problem = exc.problem or exc.context or "invalid YAML"
        doc.problems.append(Diagnostic(file, line, column, f"YAML syntax error: {problem}"))
    except yaml.reader.ReaderError as exc:  # a control character or other non-printable text
        offset = len(text.encode("utf-8")[:exc.position].decode("utf-8", "ignore")) if _BYTE_OFFSETS else exc.position
        line, column = _text_position(text, offset)
        doc.problems.append(Diagnostic(file, line, column, f"YAML error: the spec contains the unprintable "
                                                           f"character U+{exc.character:04X}"))


def _build_single(doc: PositionedDocument, text: str) -> None:
    node = _compose(text)
    if node is None:
        doc.problems.append(Diagnostic(doc.file, 1, 1, "the spec is empty"))
        return
    doc.data = _Builder(doc).build(node, ())


def _build_all(docs: list[PositionedDocument], text: str, file: str) -> None:
    loader = _ComposingLoader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if _empty(node):  # `---` twice in a row, or a trailing one
                continue
            doc = PositionedDocument(file=file, data=None)
            docs.append(doc)  # before building, so a refusal inside it still leaves the earlier ones
            doc.data = _Builder(doc).build(node, ())
    finally:
        loader.dispose()


def _empty(node: yaml.Node | _AliasUse | None) -> bool:
    return node is None or (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"
                            and node.value == "" and not node.style)  # plain: None from PyYAML, '' from libyaml


def _compose(text: str) -> yaml.Node | _AliasUse | None:
    try:
        return _single_node(_ComposingLoader(text))
    except yaml.MarkedYAMLError as exc:
        if LIBYAML_DEPTH_ERROR not in str(exc.problem):
            raise
        return _single_node(_PurePythonLoader(text))


def _single_node(loader) -> yaml.Node | _AliasUse | None:  # noqa: ANN001 - one of the composing loaders
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _text_position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
