"""Prometheus rule files: recording rules and alerting rules, one file each."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from obsgen import promtool
from obsgen.emitters import Artifact
from obsgen.model import Journey
from obsgen.render import dump_yaml
from obsgen.rules import RuleGroup, rule_groups

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


def check_rules(staged: Path, journey: Journey) -> list[str]:
    return rule_file_problems(staged)


def rule_file_problems(staged: Path) -> list[str]:
    """promtool check rules on every staged rule file, named as published."""
    return [f"promtool check rules: {relative_to_staged(finding.file, staged)}: {finding.message}"
            for finding in promtool.check_rules(rule_files(staged))]


def relative_to_staged(file: str, staged: Path) -> str:
    """Staging directories are temporary: name files as they will be published."""
    try:
        return Path(file).resolve().relative_to(staged.resolve()).as_posix()
    except ValueError:
        return file
