"""Hypothesis strategies for spec fuzzing: documents generated from the JSON Schema, and mutations
of the valid specs in the repository (values, structure and YAML-level oddities)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import yaml
from hypothesis import strategies as st

from obsgen.spec.format import (ALERT_NAME_PATTERN, DURATION_PATTERN, LABEL_NAME_PATTERN, METRIC_NAME_PATTERN,
                                NAME_PATTERN)
from tests.hostile.payloads import PAYLOADS

ROOT = Path(__file__).resolve().parents[2]

# Patterned strings come mostly from small pools, so that generated references (a stage named by
# an SLO, a dependency by another) often resolve and the build gets past the semantic checks into
# the builders; from_regex still supplies the odd corners of each pattern.
_POOLS: dict[str, list[str]] = {
    NAME_PATTERN: ["a", "b", "checkout", "db", "x-1"],
    LABEL_NAME_PATTERN: ["job", "handler", "code", "le", "instance", "_"],
    METRIC_NAME_PATTERN: ["http_requests_total", "http_request_duration_seconds", "up", "pg_up", "a:b"],
    ALERT_NAME_PATTERN: ["HighErrorRate", "A", "DbDown"],
    DURATION_PATTERN: ["0s", "1ms", "30s", "5m", "1h", "6h", "1d", "30d", "1h30m", "9999d", "1y"],
}


def base_specs() -> list[Path]:
    """The valid specs mutations start from: the reference journey and every example present."""
    return [ROOT / "specs" / "purchase.yaml"] + sorted((ROOT / "specs" / "examples").glob("*.y*ml"))


# ---- documents from the JSON Schema -------------------------------------------------------------

def from_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Instances of (mostly) the schema; keywords it does not know are ignored, so the result may
    break some constraints, which is fine: the property covers invalid specs as well."""
    cache: dict[str, st.SearchStrategy[Any]] = {}

    def ref(pointer: str) -> st.SearchStrategy[Any]:
        if pointer not in cache:
            target: Any = schema
            for part in pointer.lstrip("#/").split("/"):
                target = target[part]
            cache[pointer] = st.deferred(lambda: node(target))
        return cache[pointer]

    def node(sub: dict[str, Any]) -> st.SearchStrategy[Any]:
        if "$ref" in sub:
            return ref(sub["$ref"])
        if "const" in sub:
            return st.just(sub["const"])
        if "enum" in sub:
            return st.sampled_from(sub["enum"])
        for union in ("anyOf", "oneOf"):
            if union in sub:
                return st.one_of([node(branch) for branch in sub[union]])
        if "allOf" in sub:
            merged: dict[str, Any] = {}
            for part in sub["allOf"]:
                merged.update(part)
            return node(merged)
        kind = sub.get("type")
        if isinstance(kind, list):
            return st.one_of([node({**sub, "type": k}) for k in kind])
        return _TYPED.get(kind, lambda _s, _n: st.none())(sub, node)

    return node(schema)


def _object(sub: dict[str, Any], node: Callable) -> st.SearchStrategy[dict]:
    properties = sub.get("properties", {})
    required = [k for k in properties if k in sub.get("required", [])]
    optional = [k for k in properties if k not in required]
    fixed = st.fixed_dictionaries({k: node(properties[k]) for k in required},
                                  optional={k: node(properties[k]) for k in optional})
    patterned = [st.dictionaries(_string({"pattern": p}), node(s), max_size=3)
                 for p, s in sub.get("patternProperties", {}).items()]
    extra = sub.get("additionalProperties")
    if isinstance(extra, dict):
        patterned.append(st.dictionaries(st.text(min_size=1, max_size=8), node(extra), max_size=3))
    if not patterned:
        return fixed
    return st.tuples(fixed, *patterned).map(lambda parts: {k: v for part in reversed(parts) for k, v in part.items()})


def _array(sub: dict[str, Any], node: Callable) -> st.SearchStrategy[list]:
    low = sub.get("minItems", 0)
    return st.lists(node(sub.get("items", {})), min_size=low, max_size=max(low, sub.get("maxItems", 3)))


def _string(sub: dict[str, Any], _node: Callable | None = None) -> st.SearchStrategy[str]:
    pattern = sub.get("pattern")
    if pattern is None:
        return st.text(max_size=40)
    regex = st.from_regex(pattern, fullmatch=True)
    return st.one_of(st.sampled_from(_POOLS[pattern]), regex) if pattern in _POOLS else regex


def _number(sub: dict[str, Any], _node: Callable, *, integer: bool = False) -> st.SearchStrategy[float]:
    low, high = sub.get("minimum", sub.get("exclusiveMinimum")), sub.get("maximum", sub.get("exclusiveMaximum"))
    if integer:
        return st.integers(min_value=low, max_value=high)
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False,
                     exclude_min="exclusiveMinimum" in sub, exclude_max="exclusiveMaximum" in sub)


_TYPED: dict[str, Callable[[dict[str, Any], Callable], st.SearchStrategy[Any]]] = {
    "object": _object,
    "array": _array,
    "string": _string,
    "number": _number,
    "integer": lambda sub, node: _number(sub, node, integer=True),
    "boolean": lambda _s, _n: st.booleans(),
    "null": lambda _s, _n: st.none(),
}


def dump(document: Any) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


# ---- mutations of valid specs --------------------------------------------------------------------

ODD_VALUES = st.one_of(
    st.sampled_from([None, True, False, 0, -1, 1, 2**63, -(2**63), 1e300, -1e-300, 0.0001, 0.0, 50, 99.99, 99.999,
                     100, 100.0001, "", " ", "0s", "1ms", "0ms", "9999d", "1y", "-5m", "5", "1.5h",
                     "x" * 5000, "名前", "ümlaut-ß", "a b", "-", "_", "A", "../../etc/passwd", "a\nb", "a\tb",
                     '"quoted"', "{{ $labels.job }}", "${HOME}", "<script>", "\u202e", "\U0001F600", [], {},
                     [[]], {"a": {}}]),
    st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
)


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, prefix + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, prefix + (index,))
    return found


def _parent(data: Any, path: tuple) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def _mutate_once(draw: st.DrawFn, data: Any) -> None:
    path = draw(st.sampled_from(_paths(data)))
    parent, last = _parent(data, path), path[-1]
    action = draw(st.sampled_from(["delete", "replace", "replace", "duplicate", "add-key", "empty", "inject",
                                   "inject", "retype"]))
    if action == "inject" and isinstance(parent[last], str):
        # A hostile payload (tests/hostile/payloads.py) instead of the text, or after it.
        payload = draw(st.sampled_from(sorted(PAYLOADS.values())))
        parent[last] = draw(st.sampled_from([payload, parent[last] + payload]))
    elif action == "retype":
        # The same value as another type: a scalar in a list, a list or mapping as its text.
        value = parent[last]
        parent[last] = str(value) if isinstance(value, (dict, list)) else [value]
    elif action == "delete":
        del parent[last]
    elif action == "replace":
        parent[last] = draw(ODD_VALUES)
    elif action == "duplicate" and isinstance(parent, list):
        parent.insert(last, parent[last])
    elif action == "add-key" and isinstance(parent[last], dict):
        parent[last][draw(st.sampled_from(["nme", "extra", "name", "match", "by"]))] = draw(ODD_VALUES)
    elif action == "empty":
        parent[last] = type(parent[last])() if isinstance(parent[last], (dict, list, str)) else None


@st.composite
def mutated_specs(draw: st.DrawFn) -> str:
    """A valid spec with one to three values deleted, replaced, duplicated, added, retyped or given a
    hostile payload."""
    data = yaml.safe_load(draw(st.sampled_from(base_specs())).read_text(encoding="utf-8"))
    for _ in range(draw(st.integers(1, 3))):
        if _paths(data):
            draw(_mutate_once(data))
    return dump(data)


_VALUE_LINE = re.compile(r"^(\s*(?:- )?[A-Za-z_][\w-]*:) (\S.*)$")
YAML_ODDITIES = [
    "!vault secret/x", "!!binary aGk=", "!!set {a}", "!!python/object:os.system [ls]", "!!int nope", "*nowhere",
    ".nan", ".inf", "-.inf", "1.0e+999", "9" * 40, "0x1F", "0o17", "1_000", "2024-01-01", "~", "yes", "no",
    "!!str 5", '"\\0"', '"\\e[31m"', "'{{ $labels.job }}'", "[" * 200 + "]" * 200, "&self [*self]",
    "{a: 1, a: 2}", "[a, [b, {c: d}]]", '"' + "x" * 100_000 + '"', "\"\\u202e\"", "<<: {a: 1}",
]


@st.composite
def yaml_oddities(draw: st.DrawFn) -> str:
    """A valid spec's text with a value replaced by a YAML oddity, or two values tied by an alias."""
    lines = draw(st.sampled_from(base_specs())).read_text(encoding="utf-8").splitlines()
    candidates = [i for i, line in enumerate(lines) if _VALUE_LINE.match(line)]
    first = draw(st.sampled_from(candidates))
    if draw(st.booleans()):
        lines[first] = _VALUE_LINE.sub(lambda m: f"{m[1]} {draw(st.sampled_from(YAML_ODDITIES))}", lines[first])
    else:
        second = draw(st.sampled_from(candidates))
        lines[first] = _VALUE_LINE.sub(r"\1 &shared \2", lines[first])
        lines[second] = _VALUE_LINE.sub(r"\1 *shared", lines[second])
    return "\n".join(lines) + "\n"
