"""What a lint check is: an id, a severity, a 'why' (its module docstring) and a function.

Each check lives in its own module (pint's layout) exposing ``ID``,
``SEVERITY``, ``check(ctx)`` and optionally ``NEEDS_PROMTOOL = True`` and
``KNOWN_AS`` (the names other linters give the same check), so a
check can be read, tested and disabled on its own.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from types import ModuleType
from typing import Callable, Iterable

from obsgen.lint.finding import Finding
from obsgen.lint.positions import Pos

# Where every check is explained (one heading per check id), relative to obsgen's repository: the project
# has no published home whose absolute URL SARIF's helpUri could name.
DOCS_PAGE = "docs/lint.md"


@dataclass(frozen=True)
class Check:
    id: str
    severity: str
    doc: str
    run: Callable[..., Iterable[Finding]]
    needs_promtool: bool = False
    known_as: tuple[str, ...] = ()  # "tool name" of the same check in pint, mixtool, Grafana's dashboard-linter

    @property
    def summary(self) -> str:
        return self.doc.split("\n", 1)[0]

    @property
    def help_ref(self) -> str:
        return f"{DOCS_PAGE}#{heading_anchor(self.id)}"


def heading_anchor(heading: str) -> str:
    """The anchor GitHub's Markdown renderer gives a heading: lower case, punctuation but '-' and '_' dropped."""
    kept = "".join(c for c in heading.lower() if c.isalnum() or c in "-_ ")
    return kept.replace(" ", "-")


def from_modules(modules: Iterable[ModuleType]) -> tuple[Check, ...]:
    return tuple(
        Check(m.ID, m.SEVERITY, inspect.getdoc(m) or "", m.check, getattr(m, "NEEDS_PROMTOOL", False),
              getattr(m, "KNOWN_AS", ()))
        for m in modules
    )


def at(path: str, pos: Pos | None, check_id: str, severity: str, message: str, json_path: str | None = None) -> Finding:
    line, col = (pos.line, pos.col) if pos else (None, None)
    return Finding(path, line, col, check_id, severity, message, json_path)
