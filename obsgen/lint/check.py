"""What a lint check is: an id, a severity, a 'why' (its module docstring) and a function.

Each check lives in its own module (pint's layout) exposing ``ID``,
``SEVERITY``, ``check(ctx)`` and optionally ``NEEDS_PROMTOOL = True``, so a
check can be read, tested and disabled on its own.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from types import ModuleType
from typing import Callable, Iterable

from obsgen.lint.finding import Finding
from obsgen.lint.positions import Pos


@dataclass(frozen=True)
class Check:
    id: str
    severity: str
    doc: str
    run: Callable[..., Iterable[Finding]]
    needs_promtool: bool = False

    @property
    def summary(self) -> str:
        return self.doc.split("\n", 1)[0]


def from_modules(modules: Iterable[ModuleType]) -> tuple[Check, ...]:
    return tuple(
        Check(m.ID, m.SEVERITY, inspect.getdoc(m) or "", m.check, getattr(m, "NEEDS_PROMTOOL", False))
        for m in modules
    )


def at(path: str, pos: Pos | None, check_id: str, severity: str, message: str, json_path: str | None = None) -> Finding:
    line, col = (pos.line, pos.col) if pos else (None, None)
    return Finding(path, line, col, check_id, severity, message, json_path)
