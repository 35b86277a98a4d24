"""JSON Schema of the spec format, and structural validation against it with positions."""

from __future__ import annotations

import difflib
import json
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from obsgen.errors import Diagnostic
from obsgen.spec.format import (DURATION_PATTERN, HINT_PATTERN, NAME_PATTERN, SERIES_VALUES_PATTERN, TEXT_PATTERN,
                                UTF8_NAME_PATTERN, JourneyDocument)
from obsgen.spec.positions import PositionedDocument

SCHEMA_ID = "https://obsgen.dev/schemas/journey-v1.json"

# Selector names under spec.nameValidation: legacy. Spelt differently from the other name patterns
# (same language) so that an error can say how to allow UTF-8 names where that is possible.
_LEGACY_SELECTOR_LABEL = r"^[A-Za-z_][A-Za-z0-9_]*$"
_LEGACY_SELECTOR_METRIC = r"^[A-Za-z_:][A-Za-z0-9_:]*$"
_UTF8_HINT = "; other UTF-8 names need spec.nameValidation: utf8 (Prometheus 3)"

_PATTERN_HINTS = {
    _LEGACY_SELECTOR_LABEL: "a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)" + _UTF8_HINT,
    _LEGACY_SELECTOR_METRIC: "a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)" + _UTF8_HINT,
    UTF8_NAME_PATTERN: "a non-empty name",
    NAME_PATTERN: "a lower-case name (letters, digits, '_' or '-', starting with a letter, at most 63 characters)",
    DURATION_PATTERN: "a Prometheus duration such as 30s, 5m, 1h30m or 30d (units largest first, each once)",
    TEXT_PATTERN: "text without '{', '}', control characters or bidirectional overrides (it is used inside alert templates)",
    HINT_PATTERN: "one line of text without control characters or bidirectional overrides (it is shown in the runbook)",
    r"^[a-zA-Z_][a-zA-Z0-9_]*$": "a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)",
    r"^[a-zA-Z_:][a-zA-Z0-9_:]*$": "a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)",
    r"^[A-Z][A-Za-z0-9]*$": "an alert name in CamelCase ([A-Z][A-Za-z0-9]*)",
    SERIES_VALUES_PATTERN: "values in promtool's notation, e.g. '1 2 3', '0+10x100', '_x5' or 'stale'",
}


# How much of a bad value an error line quotes.
SHOWN_CHARACTERS = 80


# The schema the models give (generated_schema), committed beside them: generating it took ~15 ms of every build's
# start. tests/spec/test_schema_file.py keeps it equal to the models; `python -m obsgen.spec.schema` rewrites it.
SCHEMA_FILE = Path(__file__).with_name("journey.schema.json")


@lru_cache(maxsize=1)
def journey_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that editors and the loader use."""
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def generated_schema() -> dict[str, Any]:
    """journey_schema as the pydantic models of obsgen.spec.format give it."""
    schema = _close_pattern_objects(JourneyDocument.model_json_schema(by_alias=True))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "obsgen Journey spec",
    }


def _close_pattern_objects(node: Any) -> Any:
    """pydantic emits patternProperties for dicts with constrained keys but leaves other keys
    allowed; a label name that fails the pattern must be an error, not silently accepted."""
    if isinstance(node, dict):
        node = {k: _close_pattern_objects(v) for k, v in node.items()}
        if "patternProperties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
    elif isinstance(node, list):
        node = [_close_pattern_objects(v) for v in node]
    return node


def schema_json(schema: dict[str, Any] | None = None) -> str:
    """The schema as the committed file holds it (by default, journey_schema)."""
    return json.dumps(journey_schema() if schema is None else schema, indent=2, sort_keys=True) + "\n"


@lru_cache(maxsize=2)
def _validator(name_validation: str) -> jsonschema.Draft202012Validator:
    schema = journey_schema() if name_validation == "utf8" else _legacy_names(journey_schema())
    return jsonschema.Draft202012Validator(schema)


def _legacy_names(node: Any) -> Any:
    """The schema with selector names held to the legacy grammar: UTF-8 names are opt-in."""
    if isinstance(node, dict):
        node = {(_LEGACY_SELECTOR_LABEL if k == UTF8_NAME_PATTERN else k): _legacy_names(v) for k, v in node.items()}
        if node.get("pattern") == UTF8_NAME_PATTERN:
            node["pattern"] = _LEGACY_SELECTOR_METRIC
    elif isinstance(node, list):
        node = [_legacy_names(v) for v in node]
    return node


def _name_validation(data: Any) -> str:
    spec = data.get("spec") if isinstance(data, dict) else None
    chosen = spec.get("nameValidation") if isinstance(spec, dict) else None
    return chosen if chosen == "utf8" else "legacy"  # anything else is legacy, and the schema reports it


def structural_problems(doc: PositionedDocument) -> list[Diagnostic]:
    validator = _validator(_name_validation(doc.data))
    problems: list[Diagnostic] = []
    for error in validator.iter_errors(doc.data):
        problems.extend(_diagnostics(doc, _most_specific(error)))
    return problems


def _most_specific(error: ValidationError) -> ValidationError:
    """For a union (anyOf) pick the branch error a person most likely meant."""
    while error.context:
        non_null = [e for e in error.context if e.validator != "type" or e.validator_value != "null"]
        error = best_match(non_null or error.context)
    return error


def _diagnostics(doc: PositionedDocument, error: ValidationError) -> list[Diagnostic]:
    path = tuple(error.absolute_path)
    where = _dotted(path)
    if error.validator == "additionalProperties" and "patternProperties" in error.schema:
        (pattern,) = error.schema["patternProperties"]
        hint = _PATTERN_HINTS.get(pattern, f"a key matching {pattern}")
        return [
            doc.diagnostic(path + (key,), f"{where}: key {key!r} is not {hint}", key=True)
            for key in sorted(error.instance) if not re.match(pattern, key)
        ]
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        return [
            doc.diagnostic(path + (key,), f"unknown key {key!r} in {where}{_did_you_mean(key, allowed)}", key=True)
            for key in sorted(set(error.instance) - set(allowed))
        ]
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return [doc.diagnostic(path, f"{where}: missing required key {missing!r}", key=True)]
    if error.validator == "pattern":
        hint = _PATTERN_HINTS.get(error.validator_value, f"a value matching {error.validator_value}")
        return [doc.diagnostic(path, f"{where}: {_shown(error.instance)} is not {hint}")]
    if error.validator == "propertyNames":
        return [doc.diagnostic(path, f"{where}: {error.message}", key=True)]
    if error.validator in ("const", "enum"):
        expected = error.validator_value if error.validator == "enum" else [error.validator_value]
        return [doc.diagnostic(path, f"{where}: {_shown(error.instance)} is not one of {', '.join(map(repr, expected))}"
                               f"{_did_you_mean(str(error.instance), [str(e) for e in expected])}")]
    if error.validator == "type":
        return [doc.diagnostic(path, f"{where}: expected {_type_name(error.validator_value)}, got {_type_name(_json_type(error.instance))}")]
    if error.validator == "maxLength":
        return [doc.diagnostic(path, f"{where}: {_shown(error.instance)} is longer than {error.validator_value} characters")]
    return [doc.diagnostic(path, f"{where}: {error.message.replace(repr(error.instance), _shown(error.instance))}")]


def _shown(value: Any) -> str:
    """A value as an error line quotes it: whole when short, its start otherwise (a spec may hold a
    100 KB string, and the error stays one readable line)."""
    text = repr(value)
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS - 1] + "…"


def _dotted(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the document"


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else f"; expected one of: {', '.join(choices)}" if choices else ""


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _type_name(json_type: Any) -> str:
    names = {"object": "a mapping", "array": "a list", "string": "a string", "number": "a number",
             "integer": "an integer", "boolean": "true or false", "null": "nothing"}
    if isinstance(json_type, list):
        return " or ".join(names.get(t, t) for t in json_type)
    return names.get(json_type, str(json_type))


if __name__ == "__main__":  # regenerates SCHEMA_FILE after a change to the models
    sys.stdout.write(schema_json(generated_schema()))
