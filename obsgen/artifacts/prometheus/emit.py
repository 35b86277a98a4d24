"""Prometheus rule files: recording rules and alerting rules, one file each."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from obsgen import promtool
from obsgen.artifacts.base import Artifact
from obsgen.model import Journey
from obsgen.render import dump_yaml
from obsgen.artifacts.base import FileCheck
from obsgen.artifacts.prometheus import RuleGroup, rule_groups

RULES_DIR = "prometheus"


def emit_rules(journey: Journey) -> list[Artifact]:
    return rule_file_artifacts(rule_groups(journey), journey.source)


def rule_file_artifacts(groups: Sequence[RuleGroup], source: str) -> list[Artifact]:
    """One rule file per distinct group.file, its groups in the order given."""
    by_file: dict[str, list[dict]] = {}
    for group in groups:
        by_file.setdefault(group.file, []).append(group.as_dict())
    return [
        Artifact(f"{RULES_DIR}/{file}", dump_yaml({"groups": groups}, source), {"groups": groups})
        for file, groups in sorted(by_file.items())
    ]


def rule_files(staged: Path) -> list[Path]:
    return sorted((staged / RULES_DIR).glob("*.rules.yaml"))


def rule_file_problems(paths: list[Path]) -> dict[Path, list[str]]:
    """promtool check rules once over rule files of any number of staged directories."""
    found: dict[Path, list[str]] = {path: [] for path in paths}
    by_name = {os.fspath(path): path for path in paths}
    for finding in promtool.check_rules(paths):
        found[by_name[finding.file]].append(finding.message)
    return found


# Every staged rule file, named as published; journeys and the fleet share one promtool run.
check_rules = FileCheck(rule_files, rule_file_problems,
                        lambda staged, file, problem: f"promtool check rules: {relative_to_staged(os.fspath(file), staged)}: {problem}")


def relative_to_staged(file: str, staged: Path) -> str:
    """Staging directories are temporary: name files as they will be published."""
    try:
        return Path(file).resolve().relative_to(staged.resolve()).as_posix()
    except ValueError:
        return file
