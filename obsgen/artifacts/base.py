"""What every artifact kind is made of. Emitters turn the typed model into files; each is independent
and never reads YAML.

An emitter is a function Journey -> list[Artifact] (a fleet emitter: Fleet -> list[Artifact]); paths
are relative to the journey's output directory (generated/<journey>/, the fleet's: generated/_fleet/,
see layout.py). Validators check a staged directory before it is published, so a failing check leaves
the previous output untouched. An ArtifactKind bundles one kind's emitters and validators.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, ContextManager

from obsgen.model import Fleet, Journey


@dataclass(frozen=True)
class Artifact:
    path: str
    content: str
    # The data content was dumped from, when a validator reads it (the rule tests read the rule files
    # and test files): handed over rather than parsed back. Not part of what the artifact is.
    document: Any = field(default=None, compare=False, repr=False)


Emitter = Callable[[Journey], list[Artifact]]
# A validator gets the staged journey directory and returns problems as readable lines.
Validator = Callable[[Path, Journey], list[str]]
FleetEmitter = Callable[[Fleet], list[Artifact]]
FleetValidator = Callable[[Path, Fleet], list[str]]


def _nothing_shared(fleet: Fleet) -> list[Artifact]:
    return []


def _nothing_to_load() -> None:
    pass


@dataclass(frozen=True)
class ArtifactKind:
    """One kind of output, listed once in obsgen.artifacts.kinds: its files for each journey and for the
    fleet (what the journeys of a build share), and the checks the staged files pass before anything is
    published. The rule-test kind's promtool runs are a later stage the build queues after every check."""

    name: str  # as progress lines name it
    emit: Emitter
    checks: tuple[Validator, ...] = ()
    emit_fleet: FleetEmitter = _nothing_shared
    fleet_checks: tuple[FleetValidator, ...] = ()
    # Imports what the emitters load only when first used (obsgen.imports.late): a build calls it where the
    # time is free (obsgen.build.emit_pool), the emitters work without it.
    load: Callable[[], None] = _nothing_to_load


# Problems by file: every file the tool was given is a key (an empty list when it passed).
Tool = Callable[[list[Path]], dict[Path, list[str]]]


@dataclass(frozen=True)
class PreparedCheck:
    """A validator run on each directory, after work every directory of the build shares was done once:
    prepare([(staged directory, subject), ...]) is a context manager around all their checks."""

    check: Callable[[Path, Any], list[str]]
    prepare: Callable[[list[tuple[Path, Any]]], ContextManager[None]]

    def __call__(self, staged: Path, subject: Any) -> list[str]:
        return self.check(staged, subject)


@dataclass(frozen=True)
class FileCheck:
    files: Callable[[Path], list[Path]]  # the files to check inside a staged directory
    tool: Tool  # checks can share a tool: then they share its run
    message: Callable[[Path, Path, str], str]  # (staged directory, file, problem) -> the reported line

    def __call__(self, staged: Path, subject: Any) -> list[str]:
        return self.report(staged, self.tool(self.files(staged)))

    def report(self, staged: Path, found: dict[Path, list[str]]) -> list[str]:
        return [self.message(staged, file, problem) for file in self.files(staged) for problem in found[file]]
