"""The free-text and label-value fields of the spec format, found from its pydantic models, and
the places a spec fills them, so a payload can be put into each one.

A field is text when its value (or a list item, or a dict value, or a branch of a union) is a string
with no pattern or with the free-text patterns (Text, HintLine): a field added to the format with
such a type is covered without touching these tests. Names, durations, URLs and other patterned
strings are not text: their patterns refuse payloads before anything is built.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Iterator

from pydantic import BaseModel

from obsgen.spec import format as fmt

TEXT_PATTERNS = {None, fmt.TEXT_PATTERN, fmt.HINT_PATTERN}
Path = tuple[Any, ...]


def _pattern(metadata: list) -> str | None:
    return next((m.pattern for m in metadata if getattr(m, "pattern", None)), None)


def _is_text(annotation: Any, pattern: str | None = None) -> bool:
    """Whether a value of this type can be free text (str leaves only; models are walked separately)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        metadata = [m for info in extra for m in getattr(info, "metadata", [info])]
        return _is_text(inner, _pattern(metadata) or pattern)
    if origin in (typing.Union, types.UnionType):
        return any(_is_text(arg, pattern) for arg in typing.get_args(annotation))
    if origin is list:
        return _is_text(typing.get_args(annotation)[0], pattern)
    if origin is dict:
        return _is_text(typing.get_args(annotation)[1], pattern)
    return annotation is str and pattern in TEXT_PATTERNS


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models(arg)


def text_fields(root: type[BaseModel] = fmt.JourneyDocument) -> set[tuple[str, str]]:
    """(model, field) of every text field reachable from the spec document."""
    found: set[tuple[str, str]] = set()
    seen: set[type[BaseModel]] = set()
    pending = [root]
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            if _is_text(info.annotation, _pattern(info.metadata)):
                found.add((model.__name__, name))
            pending.extend(_models(info.annotation))
    return found


def text_places(document: BaseModel, fields: set[tuple[str, str]]) -> dict[tuple[str, str], Path]:
    """For each text field the document fills, the YAML path of the first string it holds there."""
    places: dict[tuple[str, str], Path] = {}
    for field, path in _strings(document, ()):
        places.setdefault(field, path)
    return {field: path for field, path in places.items() if field in fields}


def _strings(value: Any, path: Path, field: tuple[str, str] | None = None) -> Iterator[tuple[tuple[str, str], Path]]:
    if isinstance(value, BaseModel):
        for name in value.model_fields_set:
            info = type(value).model_fields[name]
            yield from _strings(getattr(value, name), path + (info.alias or name,), (type(value).__name__, name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, path + (key,), field)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, path + (index,), field)
    elif isinstance(value, str) and field is not None:
        yield field, path


def inject(data: Any, path: Path, field: tuple[str, str], payload: str) -> None:
    """Put the payload at path. A `regex` matcher keeps its own alternative (`payload|5..`): a regex
    that matches none of the stage's errors any more is refused by the rule-test generator, for a
    reason that has nothing to do with the payload."""
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = f"{payload}|{data[path[-1]]}" if field == ("RegexMatch", "regex") else payload
