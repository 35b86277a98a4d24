"""Prometheus rule files: recording rules and alerting rules, one file each."""

from __future__ import annotations

from pathlib import Path

from obsgen import promtool
from obsgen.emitters import Artifact
from obsgen.model import Journey
from obsgen.render import dump_yaml
from obsgen.rules import rule_groups

RULES_DIR = "prometheus"


def emit_rules(journey: Journey) -> list[Artifact]:
    by_file: dict[str, list[dict]] = {}
    for group in rule_groups(journey):
        by_file.setdefault(group.file, []).append(group.as_dict())
    return [
        Artifact(f"{RULES_DIR}/{file}", dump_yaml({"groups": groups}, journey.source))
        for file, groups in sorted(by_file.items())
    ]


def rule_files(staged: Path) -> list[Path]:
    return sorted((staged / RULES_DIR).glob("*.rules.yaml"))


def check_rules(staged: Path, journey: Journey) -> list[str]:
    return [f"promtool check rules: {relative_to_staged(finding.file, staged)}: {finding.message}"
            for finding in promtool.check_rules(rule_files(staged))]


def relative_to_staged(file: str, staged: Path) -> str:
    """Staging directories are temporary: name files as they will be published."""
    try:
        return Path(file).resolve().relative_to(staged.resolve()).as_posix()
    except ValueError:
        return file
