"""Emitters turn the typed model into files. Each is independent and never reads YAML.

An emitter is a function Journey -> list[Artifact]; paths are relative to the journey's
output directory (generated/<journey>/). Validators check a staged directory before it is
published, so a failing check leaves the previous output untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from obsgen.model import Journey


@dataclass(frozen=True)
class Artifact:
    path: str
    content: str


Emitter = Callable[[Journey], list[Artifact]]
# A validator gets the staged journey directory and returns problems as readable lines.
Validator = Callable[[Path, Journey], list[str]]
