"""Prometheus rule files: recording rules and alerting rules, one file each."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from obsgen.artifacts.base import Artifact, ArtifactKind, FileCheck
from obsgen.artifacts.fleet import fleet_source
from obsgen.artifacts.layout import RULE_FILE_SUFFIX, RULES_DIR
from obsgen.artifacts.prometheus import RuleGroup, fleet_rule_groups, rule_groups
from obsgen.model import Fleet, Journey
from obsgen.render import dump_yaml
from obsgen.tools import promtool


def emit_rules(journey: Journey) -> list[Artifact]:
    return rule_file_artifacts(rule_groups(journey), journey.source)


def emit_shared_rules(fleet: Fleet) -> list[Artifact]:
    """The alerts of the dependencies journeys share, once for the fleet."""
    return rule_file_artifacts(fleet_rule_groups(fleet), fleet_source(fleet))


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
    return sorted((staged / RULES_DIR).glob(f"*{RULE_FILE_SUFFIX}"))


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


# The journeys' rule files and the fleet's share one promtool run (obsgen.build.validation).
KIND = ArtifactKind("rules", emit_rules, (check_rules,), emit_shared_rules, (check_rules,))
