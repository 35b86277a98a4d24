"""The one writer: stage every file, validate the staged tree, then swap it into place.

A build that fails anywhere (an emitter, promtool, amtool) leaves the published directory
exactly as it was. The swap is two renames within one parent directory.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from obsgen.emitters import Artifact
from obsgen.errors import ValidationFailed


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def _existing_files(directory: Path) -> dict[str, bytes]:
    if not directory.is_dir():
        return {}
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def compare(directory: Path, artifacts: list[Artifact]) -> Changes:
    """What publishing these artifacts would change in directory."""
    existing = _existing_files(directory)
    wanted = {a.path: a.content.encode("utf-8") for a in artifacts}
    return Changes(
        added=sorted(set(wanted) - set(existing)),
        changed=sorted(p for p in wanted if p in existing and existing[p] != wanted[p]),
        removed=sorted(set(existing) - set(wanted)),
    )


def _stage(parent: Path, artifacts: list[Artifact]) -> Path:
    staged = Path(tempfile.mkdtemp(prefix=".obsgen-staging-", dir=parent))
    # mkdtemp makes the directory private; published output must be readable like any checkout
    # (Prometheus and Grafana containers read it as another user).
    staged.chmod(0o755)
    for artifact in artifacts:
        path = staged / artifact.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(artifact.content.encode("utf-8"))
    return staged


@dataclass(frozen=True)
class Output:
    """One directory to publish: exactly these files, if validate() finds no problem in the staged copy.
    No artifacts means the directory goes away (a journey whose spec was deleted)."""

    directory: Path
    artifacts: list[Artifact]
    validate: Callable[[Path], list[str]]


def publish(directory: Path, artifacts: list[Artifact], validate: Callable[[Path], list[str]]) -> Changes:
    """Replace directory with exactly these artifacts, if they pass validate()."""
    return publish_all([Output(directory, artifacts, validate)])[0]


def publish_all(outputs: list[Output]) -> list[Changes]:
    """Stage and validate every directory first; swap them in only when all pass, so a build of
    several journeys never publishes some of them and fails on the next."""
    changes = [compare(o.directory, o.artifacts) for o in outputs]
    staged: list[Path] = []
    try:
        problems = []
        for output in outputs:
            output.directory.parent.mkdir(parents=True, exist_ok=True)
            staged.append(_stage(output.directory.parent, output.artifacts))
            problems += output.validate(staged[-1]) if output.artifacts else []
        if problems:
            raise ValidationFailed("generated output failed validation; nothing was written:\n" + "\n".join(problems))
        for output, staging, change in zip(outputs, staged, changes):
            if change.any:
                _swap(output.directory, staging if output.artifacts else None)
        return changes
    finally:
        for staging in staged:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)


def _swap(directory: Path, staged: Path | None) -> None:
    backup = directory.parent / f".obsgen-previous-{directory.name}"
    if backup.exists():
        shutil.rmtree(backup)
    if directory.exists():
        directory.rename(backup)
    if staged is not None:
        staged.rename(directory)
    shutil.rmtree(backup, ignore_errors=True)
