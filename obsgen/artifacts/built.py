"""What a build wrote, read back: the rule groups and dashboards the emitters produced.

Targets, `obsgen push` and `obsgen diff` read emitter output (artifacts in memory, or a built
directory on disk), never the spec, so they deliver exactly what `obsgen build` validated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable

from obsgen import yamlio
from obsgen.artifacts.base import Artifact
from obsgen.artifacts.layout import DASHBOARDS_DIR, RULE_FILE_SUFFIX, RULES_DIR


@dataclass(frozen=True)
class RuleFile:
    name: str  # file name inside prometheus/, e.g. "alerts.rules.yaml"
    groups: tuple[dict, ...]

    @property
    def stem(self) -> str:
        return self.name.removesuffix(RULE_FILE_SUFFIX)


@dataclass(frozen=True)
class Dashboard:
    name: str  # file name inside grafana/dashboards/, e.g. "purchase.json"
    model: dict
    content: str  # the JSON exactly as the emitter wrote it

    @property
    def stem(self) -> str:
        return self.name.removesuffix(".json")

    @property
    def uid(self) -> str:
        return str(self.model.get("uid") or "")

    @property
    def title(self) -> str:
        return str(self.model.get("title") or self.stem)


@dataclass(frozen=True)
class DeliveryInputs:
    rule_files: tuple[RuleFile, ...]
    dashboards: tuple[Dashboard, ...]


def _kind(path: str) -> str | None:
    parent, name = str(PurePosixPath(path).parent), PurePosixPath(path).name
    if parent == RULES_DIR and name.endswith(RULE_FILE_SUFFIX):
        return "rules"
    if parent == DASHBOARDS_DIR and name.endswith(".json"):
        return "dashboard"
    return None


def _collect(files: Iterable[tuple[str, str]]) -> DeliveryInputs:
    rule_files: list[RuleFile] = []
    dashboards: list[Dashboard] = []
    for path, content in sorted(files):
        kind = _kind(path)
        name = PurePosixPath(path).name
        if kind == "rules":
            document = yamlio.load(content) or {}
            rule_files.append(RuleFile(name, tuple(document.get("groups") or ())))
        elif kind == "dashboard":
            dashboards.append(Dashboard(name, json.loads(content), content))
    return DeliveryInputs(tuple(rule_files), tuple(dashboards))


def from_artifacts(artifacts: Iterable[Artifact]) -> DeliveryInputs:
    return _collect((a.path, a.content) for a in artifacts)


def from_directory(directory: Path) -> DeliveryInputs:
    """A built journey directory (generated/<journey>/); missing parts are simply empty."""
    files = []
    for sub in (RULES_DIR, DASHBOARDS_DIR):
        folder = directory / sub
        if folder.is_dir():
            files.extend((f"{sub}/{p.name}", p.read_text(encoding="utf-8")) for p in folder.iterdir() if p.is_file())
    return _collect(files)
