"""The lint's settings file: ``lint:`` in ``obsgen.yaml`` or ``[tool.obsgen.lint]`` in ``pyproject.toml``.

Found by walking up from the current directory (stopping at the first
directory that holds either file with a lint section, or at a repository's
root), so CI and editors started anywhere in a checkout agree::

    lint:
      paths: [rules/*.yaml, dashboards/*.json]   # when no FILE is given; relative to this file
      disable: [dashboard/panel-description]
      severity: {promql/rate: note}               # re-level every finding of a check
      fail-on: warning                            # error | warning | info | note

Every mistake in it is a usage error (exit 2) at ``file:line:col``.
"""

from __future__ import annotations

import glob
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from obsgen.errors import Diagnostic, ObsgenError
from obsgen.lint.finding import DEFAULT_FAIL_ON, SEVERITIES
from obsgen.lint.positions import node_pos
from obsgen.lint.rulefile import mapping
from obsgen.lint.runner import ALL_CHECKS
from obsgen.lint.source import SourceError, compose_yaml

YAML_FILE = "obsgen.yaml"
PYPROJECT = "pyproject.toml"
KEYS = ("paths", "disable", "severity", "fail-on")


class ConfigError(ObsgenError):
    exit_code = 2

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(set(diagnostics))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


@dataclass(frozen=True)
class LintConfig:
    source: str | None = None  # the file it was read from; None when there is none
    paths: tuple[str, ...] = ()  # patterns, relative to the file's directory
    disable: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    fail_on: str | None = None

    def files(self) -> list[str]:
        """``paths`` expanded (``**`` included), relative to the current directory, sorted per pattern."""
        base = Path(self.source).parent if self.source else Path.cwd()
        found: list[str] = []
        for pattern in self.paths:
            matches = sorted(glob.glob(str(base / pattern), recursive=True)) or [str(base / pattern)]
            found += [os.path.relpath(match) for match in matches]
        return list(dict.fromkeys(found))


NO_CONFIG = LintConfig()


@dataclass(frozen=True)
class Settings:
    """What one lint run does: the config file overlaid with the command line."""

    files: list[str]
    disabled: tuple[str, ...]
    severity: dict[str, str]
    fail_on: str


def settings(config: LintConfig, files: tuple[str, ...], disable: tuple[str, ...], fail_on: str | None) -> Settings:
    """Files named on the command line replace the config's paths; --disable adds; --fail-on overrides."""
    return Settings(list(files) or config.files(), (*config.disable, *disable), dict(config.severity),
                    fail_on or config.fail_on or DEFAULT_FAIL_ON)


def discover(explicit: Path | None) -> LintConfig:
    """The config named by ``--config``, else the nearest one above the current directory, else none."""
    path = explicit or find(Path.cwd())
    return load(path) if path else NO_CONFIG


def find(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        for candidate in (directory / YAML_FILE, directory / PYPROJECT):
            if candidate.is_file() and _has_lint_section(candidate):
                return candidate
        if (directory / ".git").exists():
            return None
    return None


def _has_lint_section(path: Path) -> bool:
    """Whether the file is meant for us; a broken file that mentions the section is, to report its error."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.name == PYPROJECT:
        return re.search(r"^\s*\[tool\.obsgen\.lint[\].]", text, re.MULTILINE) is not None
    return re.search(r"^lint\s*:", text, re.MULTILINE) is not None


def load(path: Path) -> LintConfig:
    text = path.read_text(encoding="utf-8")
    shown = os.path.relpath(path)
    if path.name == PYPROJECT:
        data, locate = _toml_section(shown, text)
    else:
        data, locate = _yaml_section(shown, text)
    problems = list(_problems(data))
    if problems:
        raise ConfigError([Diagnostic(shown, *locate(where), message) for message, where in problems])
    return LintConfig(shown, tuple(data.get("paths", ())), tuple(data.get("disable", ())),
                      dict(data.get("severity", {})), data.get("fail-on"))


Where = tuple[tuple, bool]  # (path inside the lint section, whether the key rather than its value is meant)
Locate = Callable[[Where], tuple[int, int]]


def _problems(data: object):
    if not isinstance(data, dict):
        yield "the lint section must be a mapping of " + ", ".join(KEYS), ((), False)
        return
    for key in data:
        if key not in KEYS:
            yield f"unknown key {key!r}; known: {', '.join(KEYS)}", ((key,), True)
    yield from _string_list_problems(data, "paths", lambda value: None)
    yield from _string_list_problems(data, "disable", _unknown_check)
    yield from _severity_problems(data.get("severity", {}))
    if "fail-on" in data and data["fail-on"] not in SEVERITIES:
        yield f"fail-on must be one of {', '.join(SEVERITIES)}", (("fail-on",), False)


def _string_list_problems(data: dict, key: str, value_problem: Callable[[str], str | None]):
    values = data.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        yield f"{key} must be a list of strings", ((key,), False)
        return
    for index, value in enumerate(values):
        if problem := value_problem(value):
            yield problem, ((key, index), False)


def _severity_problems(severity: object):
    if not isinstance(severity, dict):
        yield "severity must map check ids to a severity", (("severity",), False)
        return
    for check_id, level in severity.items():
        if problem := _unknown_check(check_id):
            yield problem, (("severity", check_id), True)
        if level not in SEVERITIES:
            yield f"severity of {check_id!r} must be one of {', '.join(SEVERITIES)}", (("severity", check_id), False)


def _unknown_check(check_id: str) -> str | None:
    known = {c.id for c in ALL_CHECKS}
    return None if check_id in known else f"unknown check id {check_id!r}; see `obsgen lint --list-checks`"


def _yaml_section(shown: str, text: str) -> tuple[object, Locate]:
    try:
        root = compose_yaml(shown, text)
        data = yaml.safe_load(text)
    except SourceError as error:
        raise ConfigError([Diagnostic(shown, error.line or 1, error.col or 1, error.message)]) from None
    section = mapping(root).get("lint")
    return (data.get("lint") if isinstance(data, dict) else None), lambda where: _node_place(section, where)


def _node_place(section: tuple[Node, Node] | None, where: Where) -> tuple[int, int]:
    if section is None:
        return 1, 1
    path, at_key = where
    key, node = section
    for part in path:
        if isinstance(node, MappingNode) and str(part) in mapping(node):
            key, node = mapping(node)[str(part)]
        elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            key, node = node, node.value[part]
    pos = node_pos(key if at_key else node)
    return pos.line, pos.col or 1


def _toml_section(shown: str, text: str) -> tuple[object, Locate]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([Diagnostic(shown, *_toml_error_place(text, str(error)),
                                      f"invalid TOML: {str(error).split(' (at')[0]}")]) from None
    section = data
    for key in ("tool", "obsgen", "lint"):
        section = section.get(key) if isinstance(section, dict) else None
    return section, lambda where: _text_place(text, section, where)


def _toml_error_place(text: str, message: str) -> tuple[int, int]:
    if place := re.search(r"at line (\d+), column (\d+)", message):
        return int(place.group(1)), int(place.group(2))
    if "end of document" in message:
        return _line_col(text, len(text))
    return 1, 1


def _line_col(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _text_place(text: str, section: object, where: Where) -> tuple[int, int]:
    """tomllib keeps no positions: find the offending key or value as text after the section header."""
    path, at_key = where
    needle = _deepest(section, path, at_key)
    header = re.search(r"^\s*\[tool\.obsgen\.lint", text, re.MULTILINE)
    start = header.start() if header else 0
    found = text.find(needle, start) if needle else -1
    return _line_col(text, found if found >= 0 else start)


def _deepest(section: object, path: tuple, at_key: bool) -> str:
    value = section
    for part in path:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return str(part)
    return str(path[-1]) if at_key and path else (value if isinstance(value, str) else str(path[-1] if path else ""))
