"""Block YAML for plain data, written directly, byte for byte as obsgen.render's PyYAML dumper writes it.

PyYAML's representer sends every value of a document through Python dispatch and resolver regexes before
libyaml writes a byte: for a journey's rule-test file (300 KB, 14,000 scalars) that was most of a build's
serialisation time (BENCHMARKS.md, "Writing YAML directly"). Here the layout is written directly —
mappings and sequences in block style, sequences in mappings not indented, `indent=2`, no line folding —
and each distinct string is rendered once and remembered: a string that is plainly a plain scalar as it
is, any other as the dumper itself renders it alone (quoted, or a literal block re-indented to its place).

What this writer does not know raises Unsupported, and obsgen.render writes that document with PyYAML:
a container met twice (PyYAML writes an anchor), a key that is not a short one-line string, a scalar the
dumper writes on several lines other than as a `|`/`|-` literal block, a type other than dict, list,
str, int, float, bool and None, a document that is not a non-empty mapping or sequence.
tests/test_block_yaml.py holds it to PyYAML's bytes on every generated file and on random documents.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable

import yaml

_STR = "tag:yaml.org,2002:str"
_FLOAT = "tag:yaml.org,2002:float"
# No indicator, quote, resolver-sensitive first character or YAML line break: plain as it is, if the
# resolver reads it as a string and it neither ends in a space nor holds ": " or " #".
_PLAINLY_PLAIN = re.compile(r"[A-Za-z_/$(][A-Za-z0-9_./{}=\",+\-()\[\]<>*|&!%@$^~;?' :#]*\Z")
_YAML_BREAK = re.compile("[\n\x85\u2028\u2029]")  # what YAML reads as a line break; Python's split("\n") does not
_SIMPLE_KEY_LIMIT = 128  # PyYAML writes a key this long or longer as an explicit `? key`
_REMEMBERED = 200_000  # distinct strings kept per kind before the memory starts over


class Unsupported(Exception):
    """A document this writer does not write as PyYAML would; the caller uses PyYAML."""


class Literal(tuple):
    """A multi-line string as a literal block: (chomping indicator, lines); indented where it lands."""


class BlockWriter:
    """dump(data) -> text; `render_alone(value, as_key)` is the dumper's own text for one string."""

    def __init__(self, render_alone: Callable[[str, bool], str], resolves: Callable[[str], str]):
        self._render_alone = render_alone
        self._resolves = resolves
        self._values: dict[str, str | Literal] = {}
        self._keys: dict[str, str] = {}

    def dump(self, data: Any) -> str:
        out: list[str] = []
        if type(data) is dict and data:
            self._mapping(data, 0, False, out, set())
        elif type(data) is list and data:
            self._sequence(data, 0, False, out, set())
        else:
            raise Unsupported("a document that is not a non-empty mapping or sequence")
        return "".join(out)

    # -- containers ----------------------------------------------------------------------------------
    def _mapping(self, mapping: dict, indent: int, inline: bool, out: list[str], seen: set[int]) -> None:
        self._once(mapping, seen)
        pad = " " * indent
        for number, (key, value) in enumerate(mapping.items()):
            out.append(f"{'' if inline and number == 0 else pad}{self._key(key)}:")
            self._node(value, indent, True, out, seen)

    def _sequence(self, sequence: list, indent: int, inline: bool, out: list[str], seen: set[int]) -> None:
        self._once(sequence, seen)
        pad = " " * indent
        for number, item in enumerate(sequence):
            out.append(f"{'' if inline and number == 0 else pad}-")
            self._node(item, indent, False, out, seen)

    def _node(self, value: Any, indent: int, in_mapping: bool, out: list[str], seen: set[int]) -> None:
        """What follows a key's colon (in_mapping) or an item's dash at indent: a block on the next line (a
        mapping's) or on the same line (an item's), else the scalar."""
        kind = type(value)
        if (kind is dict or kind is list) and value:
            out.append("\n" if in_mapping else " ")
            if kind is dict:
                self._mapping(value, indent + 2, not in_mapping, out, seen)
            else:  # PyYAML does not indent a mapping's sequence
                self._sequence(value, indent if in_mapping else indent + 2, not in_mapping, out, seen)
        else:
            self._scalar(value, indent + 2, out)

    @staticmethod
    def _once(container: dict | list, seen: set[int]) -> None:
        if id(container) in seen:
            raise Unsupported("a container that appears twice (PyYAML writes an anchor and an alias)")
        seen.add(id(container))

    # -- scalars -------------------------------------------------------------------------------------
    def _scalar(self, value: Any, indent: int, out: list[str]) -> None:
        """` value` and the line break, after a key's colon or an item's dash; a literal block's lines at indent."""
        text = self._value(value)
        if isinstance(text, Literal):
            chomping, lines = text
            out.append(f" |{chomping}\n")
            pad = " " * indent
            out.extend(f"{pad}{line}\n" if line else "\n" for line in lines)
        else:
            out.append(f" {text}\n")

    def _value(self, value: Any) -> str | Literal:
        kind = type(value)
        if kind is str or isinstance(value, str):
            text = value if kind is str else str(value)  # str enumerations are written as their strings
            rendered = self._values.get(text)
            if rendered is None:
                rendered = self._remember(self._values, text, self._string(text))
            return rendered
        if kind is bool:
            return "true" if value else "false"
        if kind is int:
            return str(value)
        if kind is float:
            return self._float(value)
        if value is None:
            return "null"
        if kind is dict or kind is list:  # an empty one; a non-empty one is a block of its own
            return "{}" if kind is dict else "[]"
        raise Unsupported(f"a value of type {kind.__name__}")

    def _key(self, key: Any) -> str:
        if type(key) is not str:
            raise Unsupported(f"a key of type {type(key).__name__}")
        rendered = self._keys.get(key)
        if rendered is None:
            rendered = self._remember(self._keys, key, self._string(key, as_key=True))
        return rendered

    def _string(self, text: str, as_key: bool = False) -> str | Literal:
        if as_key and len(text) >= _SIMPLE_KEY_LIMIT:
            raise Unsupported("a key of 128 characters or more")
        if (_PLAINLY_PLAIN.match(text) and not text.endswith(" ") and ": " not in text and " #" not in text
                and not text.endswith(":") and self._resolves(text) == _STR):
            return text
        alone = self._render_alone(text, as_key)
        if not _YAML_BREAK.search(alone):
            return alone
        if as_key or not alone.startswith("|"):
            raise Unsupported("a string written on several lines other than as a literal block")
        header, _, body = alone.partition("\n")
        chomping = header[1:]
        if chomping not in ("", "-") or _YAML_BREAK.search(text.replace("\n", "")):
            raise Unsupported("a literal block with an indentation or keep indicator, or YAML-only line breaks")
        lines = (text[:-1] if chomping == "" else text).split("\n")
        if body.split("\n") != [f"  {line}" if line else "" for line in lines]:
            raise Unsupported("a literal block whose lines PyYAML writes otherwise")
        return Literal((chomping, tuple(lines)))

    def _float(self, value: float) -> str:
        """PyYAML's SafeRepresenter.represent_float, then the resolver's check that it reads back as a float."""
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value).lower()
        if "." not in text and "e" in text:
            text = text.replace("e", ".0e", 1)
        if self._resolves(text) != _FLOAT:
            raise Unsupported(f"a float written as {text!r}, which would need a tag")
        return text

    @staticmethod
    def _remember(memory: dict, text: str, rendered: Any) -> Any:
        if len(memory) >= _REMEMBERED:
            memory.clear()
        memory[text] = rendered
        return rendered


def for_dumper(dumper: type, **options: Any) -> BlockWriter:
    """A writer whose strings are rendered by `dumper` with the options obsgen.render dumps with."""
    resolver = yaml.resolver.Resolver()  # every obsgen dumper resolves with PyYAML's default resolver

    def resolves(text: str) -> str:
        return resolver.resolve(yaml.ScalarNode, text, (True, False))

    def render_alone(text: str, as_key: bool) -> str:
        if as_key:
            dumped = yaml.dump({text: None}, Dumper=dumper, **options)
            if dumped.startswith("? ") or not dumped.endswith(": null\n"):
                raise Unsupported("a key PyYAML writes as a complex key")
            return dumped[: -len(": null\n")]
        dumped = yaml.dump([text], Dumper=dumper, **options)
        if not dumped.startswith("- "):
            raise Unsupported("a string PyYAML does not write as a sequence item")
        return dumped[2:-1]

    return BlockWriter(render_alone, resolves)
