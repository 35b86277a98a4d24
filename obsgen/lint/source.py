"""Read a lint target and decide what it is, by content rather than by extension.

CI passes whatever files it has; a ``.yml`` may be a rule file and a
``.json`` may be a dashboard exported from the API (wrapped in
``{"dashboard": …}``); a rule file may be a PrometheusRule manifest, a
Mimir/Cortex or a Thanos rule file (see ``flavours``).  Anything that cannot be read or parsed, or is neither
kind, becomes a ``SourceError`` — a usage error (exit 2), not a finding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node

from obsgen.lint.flavours import group_lists

RULES = "rules"
DASHBOARD = "dashboard"


@dataclass(frozen=True)
class SourceError(Exception):
    path: str
    message: str
    line: int | None = None
    col: int | None = None


@dataclass(frozen=True)
class Source:
    path: str
    text: str
    kind: str
    yaml_roots: tuple[Node | None, ...] = ()  # rule files: composed once, one per document, reused
    json_data: object = None  # dashboards: decoded once, reused


def read_source(path: str) -> Source:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(path, f"cannot read file: {exc.strerror if isinstance(exc, OSError) else exc}") from None
    is_json = text.lstrip().startswith(("{", "["))
    if is_json:
        data = load_json(path, text)
        if isinstance(data, dict) and _looks_like_dashboard(data):
            return Source(path, text, DASHBOARD, json_data=data)
    roots = compose_documents(path, text)
    if not roots or any(_is_rule_document(root) for root in roots):
        return Source(path, text, RULES, tuple(roots))
    if is_json:
        raise SourceError(path, "JSON file is neither a Grafana dashboard (no 'panels') nor a rule file")
    raise SourceError(path, "not a rule file (no top-level 'groups', PrometheusRule or Mimir namespace) "
                      "or a Grafana dashboard", 1, 1)


def _is_rule_document(root: Node | None) -> bool:
    # A top-level 'groups' of the wrong shape is still a rule file: promtool says what is wrong with it.
    has_groups = isinstance(root, MappingNode) and any(k.value == "groups" for k, _ in root.value)
    return root is None or has_groups or bool(group_lists([root]))


def _looks_like_dashboard(data: dict) -> bool:
    inner = data.get("dashboard") if isinstance(data.get("dashboard"), dict) else data
    return any(key in inner for key in ("panels", "rows")) or "schemaVersion" in inner


def load_json(path: str, text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(path, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None


def compose_yaml(path: str, text: str) -> Node | None:
    """Node tree with positions; composing (not constructing) is also the cheap way to sniff the kind."""
    try:
        return yaml.compose(text, Loader=_SAFE_LOADER)
    except yaml.MarkedYAMLError as exc:
        raise yaml_error(path, exc) from None
    except yaml.YAMLError as exc:
        raise SourceError(path, f"invalid YAML: {exc}") from None


def compose_documents(path: str, text: str) -> list[Node | None]:
    """Every document of a YAML stream (manifests often hold several, separated by ``---``)."""
    try:
        return list(yaml.compose_all(text, Loader=_SAFE_LOADER))
    except yaml.MarkedYAMLError as exc:
        raise yaml_error(path, exc) from None
    except yaml.YAMLError as exc:
        raise SourceError(path, f"invalid YAML: {exc}") from None


def yaml_error(path: str, exc: yaml.MarkedYAMLError) -> SourceError:
    mark = exc.problem_mark or exc.context_mark
    message = " ".join(part for part in (exc.context, exc.problem) if part)
    line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
    return SourceError(path, f"invalid YAML: {message}", line, col)


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
