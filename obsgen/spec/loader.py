"""Load a spec file: YAML with positions → schema check → semantic check → typed model."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from pydantic import ValidationError

from obsgen.errors import Diagnostic, SpecError
from obsgen.model import Journey
from obsgen.spec.format import JourneyDocument
from obsgen.spec.positions import load_positioned
from obsgen.rules import generated_alerts
from obsgen.spec.resolve import Resolver
from obsgen.spec.schema import structural_problems


def display_path(path: Path) -> str:
    """The path as people see it in errors and headers: relative to the working directory when inside it."""
    try:
        relative = os.path.relpath(path.resolve(), Path.cwd())
    except ValueError:  # another drive on Windows
        return path.as_posix()
    return path.as_posix() if relative.startswith("..") else Path(relative).as_posix()


def load_journey(path: str | Path, *, source_name: str | None = None) -> Journey:
    """Parse and validate a spec; raise SpecError listing every problem with file:line:column."""
    path = Path(path)
    shown = source_name or display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError([Diagnostic(shown, 1, 1, f"cannot read spec: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError([Diagnostic(shown, 1, 1, f"spec is not UTF-8 text: {exc.reason}")]) from None
    return parse_journey(text, shown)


def parse_journey(text: str, source: str) -> Journey:
    positioned = load_positioned(text, source)
    if positioned.problems and positioned.data is None:
        raise SpecError(positioned.problems)
    problems = list(positioned.problems) + structural_problems(positioned)
    if problems:
        raise SpecError(problems)
    try:
        document = JourneyDocument.model_validate(positioned.data)
    except ValidationError as exc:  # the schema should have caught it; keep positions anyway
        raise SpecError([positioned.diagnostic(tuple(e["loc"]), e["msg"]) for e in exc.errors()]) from None
    resolver = Resolver(document, positioned, source, hashlib.sha256(text.encode("utf-8")).hexdigest())
    problems = resolver.check()
    if problems:
        raise SpecError(problems)
    journey = resolver.journey()
    problems = resolver.check_alert_names([a.alert for a in generated_alerts(journey)])
    if problems:
        raise SpecError(problems)
    return journey
