"""Emitters turn the typed model into files. Each is independent and never reads YAML.

An emitter is a function Journey -> list[Artifact]; paths are relative to the journey's
output directory (generated/<journey>/). Validators check a staged directory before it is
published, so a failing check leaves the previous output untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from obsgen.model import Journey


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


# Problems by file: every file the tool was given is a key (an empty list when it passed).
Tool = Callable[[list[Path]], dict[Path, list[str]]]


@dataclass(frozen=True)
class FileCheck:
    files: Callable[[Path], list[Path]]  # the files to check inside a staged directory
    tool: Tool  # checks can share a tool: then they share its run
    message: Callable[[Path, Path, str], str]  # (staged directory, file, problem) -> the reported line

    def __call__(self, staged: Path, subject: Any) -> list[str]:
        return self.report(staged, self.tool(self.files(staged)))

    def report(self, staged: Path, found: dict[Path, list[str]]) -> list[str]:
        return [self.message(staged, file, problem) for file in self.files(staged) for problem in found[file]]
