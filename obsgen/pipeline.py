"""The build: load + validate spec → typed model → independent emitters → validators → one writer."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from obsgen.emitters import Artifact, Emitter, Validator
from obsgen.emitters import prometheus
from obsgen.emitters import grafana
from obsgen.emitters import alertmanager, impact, runbook
from obsgen.emitters import ruletests
from obsgen.model import Journey
from obsgen.spec.loader import load_journey
from obsgen import targets as delivery
from obsgen import writer

EMITTERS: list[Emitter] = [
    prometheus.emit_rules,
    grafana.emit_grafana,
    impact.emit_impact,
    alertmanager.emit_alertmanager,
    runbook.emit_runbook,
    ruletests.emit_rule_tests,
]

VALIDATORS: list[Validator] = [
    prometheus.check_rules,
    grafana.check_dashboards,
    alertmanager.check_config,
]

# Run after the static checks: a rule file promtool rejects makes its unit tests meaningless.
TEST_VALIDATORS: list[Validator] = [
    ruletests.check_rule_tests,
]


@dataclass(frozen=True)
class BuildResult:
    journey: Journey
    directory: Path
    artifacts: list[Artifact]
    changes: writer.Changes


def source_name(spec: Path, out_dir: Path) -> str:
    """The spec path as written in headers: relative to the project (out_dir's parent), so it is
    the same whatever directory obsgen runs from."""
    try:
        return Path(os.path.relpath(spec.resolve(), out_dir.resolve().parent)).as_posix()
    except ValueError:
        return spec.name


def emit_all(journey: Journey) -> list[Artifact]:
    artifacts = [artifact for emit in EMITTERS for artifact in emit(journey)]
    paths = [a.path for a in artifacts]
    duplicated = sorted({p for p in paths if paths.count(p) > 1})
    if duplicated:
        raise RuntimeError(f"two emitters wrote the same file: {', '.join(duplicated)}")
    return sorted(artifacts, key=lambda a: a.path)


def build(spec: Path, out_dir: Path, *, check: bool = False, validate: bool = True, run_tests: bool = True,
          targets: Sequence[str] = delivery.DEFAULT_TARGETS,
          target_options: delivery.TargetOptions | None = None) -> BuildResult:
    """Build one spec into out_dir/<journey>/. With check=True nothing is written.
    targets: delivery formats written under targets/<name>/ (see obsgen.targets)."""
    journey = load_journey(spec, source_name=source_name(spec, out_dir))
    artifacts = emit_all(journey)
    artifacts = sorted(artifacts + delivery.emit(journey, artifacts, targets, target_options), key=lambda a: a.path)
    target = out_dir / journey.name
    stages: list[list[Validator]] = []
    if validate:
        stages = [VALIDATORS + delivery.validators(targets, target_options), TEST_VALIDATORS if run_tests else []]
    if check:
        changes = writer.compare(target, artifacts)
    else:
        changes = writer.publish(target, artifacts, lambda staged: _validate(staged, journey, stages))
    return BuildResult(journey, target, artifacts, changes)


def _validate(staged: Path, journey: Journey, stages: list[list[Validator]]) -> list[str]:
    """Every problem of the first stage of validators that finds any: later stages assume earlier ones passed."""
    for validators in stages:
        problems = [problem for validator in validators for problem in validator(staged, journey)]
        if problems:
            return problems
    return []
