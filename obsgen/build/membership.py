"""Which journeys the output directory was last built from, so a build never publishes half a fleet.

Journeys built together depend on each other's output: a dependency they share has its alerts in
_fleet/, the index dashboard and the Alertmanager configuration list them all. Building one of them
alone would silently undo that, so it is refused while the others' specs still exist. A member whose
spec is gone has been removed on purpose: its output directory goes with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from obsgen.artifacts.base import Artifact
from obsgen.artifacts.fleet import fleet_source
from obsgen.artifacts.layout import FLEET_DIR, FLEET_MANIFEST_PATH, OUT_DIR
from obsgen.errors import ObsgenError
from obsgen.model import Fleet
from obsgen.paths import from_project
from obsgen.render import dump_yaml


class PartialFleet(ObsgenError):
    """The build leaves out journeys the output was built together with."""

    exit_code = 2


@dataclass(frozen=True)
class Member:
    name: str
    source: str  # relative to the project (the output directory's parent)

    def spec(self, out_dir: Path) -> Path | None:
        """The member's spec file, or None when it has been deleted."""
        path = out_dir.parent / self.source
        return path if path.is_file() else None


def emit_manifest(fleet: Fleet) -> list[Artifact]:
    """The fleet's manifest: its members (what recorded_members reads back) and the dependencies they share."""
    manifest = {
        "journeys": [{"name": j.name, "source": j.source, "sha256": j.source_sha256} for j in fleet.journeys],
        "sharedDependencies": [{"name": d.name, "alerts": list(d.alert_names), "journeys": [u.journey for u in d.users]}
                               for d in fleet.shared],
    }
    return [Artifact(FLEET_MANIFEST_PATH, dump_yaml(manifest, fleet_source(fleet)))]


def recorded_members(out_dir: Path) -> list[Member]:
    manifest = out_dir / FLEET_DIR / FLEET_MANIFEST_PATH
    if not manifest.is_file():
        return []
    try:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
        return [Member(str(j["name"]), str(j["source"])) for j in data.get("journeys") or []]
    except (yaml.YAMLError, TypeError, KeyError, AttributeError) as exc:
        raise ObsgenError(f"{manifest}: unreadable fleet manifest ({exc}); delete it and build every spec together") from None


def output_dir(files: list[Path], out_dir: Path | None) -> Path:
    """Where a build writes (and `obsgen test` reads): out_dir when given, else the output under generated/
    that these specs were built into before (generated/ itself, or a directory in it, read from its fleet
    manifest), else generated/. So `obsgen build specs/examples/` finds generated/examples/ as
    `obsgen build specs/` finds generated/, and `--check` compares the right tree."""
    if out_dir is not None:
        return out_dir
    base = Path(OUT_DIR)
    if not base.is_dir():
        return base
    building = {f.resolve() for f in files}
    outputs = [base, *sorted(p for p in base.iterdir() if p.is_dir() and (p / FLEET_DIR).is_dir())]
    matches = [out for out in outputs if building & members_specs(out)]
    if len(matches) > 1:
        raise PartialFleet(f"these specs were built into several outputs ({', '.join(map(str, matches))}): "
                           f"choose one with --out")
    return matches[0] if matches else base


def members_specs(out_dir: Path) -> set[Path]:
    return {spec.resolve() for m in recorded_members(out_dir) if (spec := m.spec(out_dir))}


def departed(fleet: Fleet, out_dir: Path) -> list[Path]:
    """Output directories of recorded members whose spec was deleted (to remove with this build).
    Raises PartialFleet when a member left out of this build still has its spec."""
    building = {j.name for j in fleet.journeys}
    missing = [m for m in recorded_members(out_dir) if m.name not in building]
    still_there = [m for m in missing if m.spec(out_dir)]
    if still_there:
        together = " ".join(from_project(source, out_dir)
                            for source in [j.source for j in fleet.journeys] + [m.source for m in still_there])
        names = ", ".join(f"{m.name} ({m.source})" for m in still_there)
        raise PartialFleet(
            f"{out_dir}/ was built together with {names}: journeys built together share dependency alerts, "
            f"the index dashboard and the Alertmanager configuration, so building only part of them would leave "
            f"the rest inconsistent. Build them together (obsgen build {together}), or delete the spec of a "
            f"journey you no longer want and its output goes with it.")
    return [out_dir / m.name for m in missing if (out_dir / m.name).is_dir()]
