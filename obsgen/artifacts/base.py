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
