"""Load a spec file: YAML with positions → schema check → semantic check → typed model."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Sequence

from pydantic import ValidationError

from obsgen.artifacts.layout import OUT_DIR
from obsgen.artifacts.prometheus import all_alerts, generated_alert_names
from obsgen.build import membership
from obsgen.errors import Diagnostic, SpecError
from obsgen.model import Journey
from obsgen.paths import from_project, shown as display_path
from obsgen.spec.fleet import resolve_fleet
from obsgen.spec.format import JourneyDocument
from obsgen.spec.limits import MAX_SPEC_BYTES
from obsgen.spec.positions import load_positioned
from obsgen.spec.resolve import Resolver
from obsgen.spec.schema import structural_problems


def load_journey(path: str | Path, *, source_name: str | None = None) -> Journey:
    """Parse and validate a spec; raise SpecError listing every problem with file:line:column."""
    path = Path(path)
    shown = source_name or display_path(path)
    return parse_journey(read_spec_text(path, shown), shown, base_dir=path.parent)


def read_spec_text(path: Path, shown: str) -> str:
    """A spec-sized UTF-8 file's text, or a SpecError saying why not (shown names the file in it)."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_SPEC_BYTES + 1)
    except OSError as exc:
        raise SpecError([Diagnostic(shown, 1, 1, f"cannot read spec: {exc.strerror}")]) from None
    if len(raw) > MAX_SPEC_BYTES:
        raise SpecError([Diagnostic(shown, 1, 1, f"spec is larger than {MAX_SPEC_BYTES // 1024} KiB; "
                                                 "is this the right file?")])
    return _decoded(raw, shown)


def _decoded(raw: bytes, shown: str) -> str:
    """The spec's text, or a problem at the first byte that is not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[:exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1:].decode("utf-8")) + 1
        raise SpecError([Diagnostic(shown, line, column, f"spec is not UTF-8 text: byte "
                                                         f"0x{raw[exc.start]:02x} ({exc.reason})")]) from None


def parse_journey(text: str, source: str, *, base_dir: Path | None = None) -> Journey:
    """base_dir: where the spec's relative paths (spec.profileFiles) start; the source's directory by default."""
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
    resolver = Resolver(document, positioned, source, hashlib.sha256(text.encode("utf-8")).hexdigest(), base_dir)
    problems = resolver.check()
    if problems:
        raise SpecError(problems)
    journey = resolver.journey()
    resolver.check_dimension_matchers(journey)
    problems = resolver.check_alert_names(generated_alert_names(journey))
    if problems:
        raise SpecError(problems)
    return dataclasses.replace(journey, alert_declared_at=resolver.alert_locations(all_alerts(journey)))


def source_name(spec: Path, out_dir: Path) -> str:
    """The spec path as written in headers: relative to the project (out_dir's parent), so it is
    the same whatever directory obsgen runs from."""
    try:
        return Path(os.path.relpath(spec.resolve(), out_dir.resolve().parent)).as_posix()
    except ValueError:
        return spec.name


def load_all(specs: Sequence[Path], out_dir: Path) -> list[Journey]:
    """Every spec, or one SpecError listing the problems of all of them."""
    journeys: list[Journey] = []
    problems: list[Diagnostic] = []
    for spec in specs:
        try:
            journeys.append(load_journey(spec, source_name=source_name(spec, out_dir)))
        except SpecError as error:
            problems += error.diagnostics
    if problems:
        raise SpecError(problems)
    return journeys


@contextmanager
def shown_from_cwd(out_dir: Path):
    """Spec problems name files as the generated headers do (relative to the project, out_dir's parent);
    the user reads them from the current directory, where an editor or CI annotation must find them."""
    try:
        yield
    except SpecError as error:
        def place(match: re.Match) -> str:  # another spec's place quoted in a message (a fleet conflict)
            return f"{from_project(match[1], out_dir)}:{match[2]}"

        raise SpecError([dataclasses.replace(d, file=from_project(d.file, out_dir),
                                             message=_QUOTED_PLACE.sub(place, d.message))
                         for d in error.diagnostics]) from None


# file:line:col of a spec or profile file inside a message, as obsgen.model.Location writes it.
_QUOTED_PLACE = re.compile(r"(?<![\w./-])([\w./-]+\.ya?ml):(\d+:\d+)")


def load_in_fleet(spec: Path, out_dir: Path = Path(OUT_DIR)) -> Journey:
    """One spec's journey as `obsgen build` resolved it: with the other journeys the output directory
    was built together with, so a dependency they share carries its shared alert names."""
    return load_with_fleet(spec, out_dir)[0]


def load_with_fleet(spec: Path, out_dir: Path = Path(OUT_DIR)) -> tuple[Journey, tuple[Journey, ...]]:
    """As load_in_fleet, and every journey of that build resolved the same way (the journey alone when it
    was built alone): what a drill of a shared dependency watches."""
    with shown_from_cwd(out_dir):
        journey = load_journey(spec, source_name=source_name(spec, out_dir))
        others = fleet_mates(journey.name, out_dir)
        if not others:
            return journey, (journey,)
        fleet = resolve_fleet([journey] + load_all(others, out_dir))
    return next(j for j in fleet.journeys if j.name == journey.name), fleet.journeys


def fleet_mates(name: str, out_dir: Path) -> list[Path]:
    """The specs of the other journeys out_dir was built together with, those that still exist."""
    specs = [m.spec(out_dir) for m in membership.recorded_members(out_dir) if m.name != name]
    return [spec for spec in specs if spec]
