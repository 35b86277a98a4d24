"""The one writer: stage every file, validate the staged tree, then swap it into place.

A build that fails anywhere (an emitter, promtool, amtool) leaves the published directory
exactly as it was. Publishing survives `kill -9` at any instant:

1. every directory is staged beside its target (OUT/.obsgen-staging-*) and validated; those whose files
   change are synced to disk (an unchanged one is thrown away);
2. a journal (OUT/.obsgen-journal.json, written by an atomic rename) records every swap to make:
   it is the commit point - before it exists nothing published has changed;
3. each target is exchanged with its staged copy in one atomic renameat2(RENAME_EXCHANGE), so a
   journey directory is always either its complete old or complete new version, never missing;
4. the manifest of written files (OUT/.obsgen-manifest.json) is replaced, the journal removed, and
   the old copies deleted.

The next build first completes a journal it finds (swaps are recognised by the staged directory's
inode, so replaying one is harmless) and deletes leftover staging directories: a fleet is never
left half-updated by more than the one build that was killed.

Only files obsgen wrote (listed in the manifest) are ever replaced or removed: a hand-written file
inside OUT/<journey>/ makes the build refuse (exit 2, naming it) instead of deleting it, because
anything in those directories is loaded by Prometheus, Alertmanager or Grafana as it is, unvalidated.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import signal
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from obsgen import progress
from obsgen.errors import ObsgenError, ValidationFailed
from obsgen.paths import shown

if TYPE_CHECKING:  # only named in annotations: the build cache's "up to date" path need not load the model
    from obsgen.artifacts.base import Artifact


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def _existing_files(directory: Path) -> dict[str, bytes]:
    return {name: (directory / name).read_bytes() for name in _existing_names(directory)}


def _existing_names(directory: Path) -> list[str]:
    if not directory.is_dir():
        return []
    return [p.relative_to(directory).as_posix() for p in sorted(directory.rglob("*")) if p.is_file()]


def compare(directory: Path, artifacts: list[Artifact]) -> Changes:
    """What publishing these artifacts would change in directory."""
    existing = _existing_files(directory)
    wanted = {a.path: a.content.encode("utf-8") for a in artifacts}
    return Changes(
        added=sorted(set(wanted) - set(existing)),
        changed=sorted(p for p in wanted if p in existing and existing[p] != wanted[p]),
        removed=sorted(set(existing) - set(wanted)),
    )


STAGING_PREFIX = ".obsgen-staging-"
TRASH_PREFIX = ".obsgen-old-"
LEGACY_BACKUP_PREFIX = ".obsgen-previous-"  # the swap of obsgen before the journal
JOURNAL = ".obsgen-journal.json"
MANIFEST = ".obsgen-manifest.json"
# The manifest's entry (not a directory: journey names cannot start with a dot) recording how the
# output was built, so `obsgen build --check` compares with a build made the same way.
BUILD_RECORD = ".build"
# Used only by tests/build/test_crash_safety.py: SIGKILL this process when publishing reaches the named step.
KILL_AT_ENV = "OBSGEN_TEST_KILL_AT"


class ForeignFiles(ObsgenError):
    """OUT/<journey>/ holds files obsgen did not write; publishing would replace or delete them."""

    exit_code = 2


class OutputUnwritable(ObsgenError):
    """The output directory cannot be written (permissions, a file in its place, disk full)."""

    exit_code = 2


def _step(name: str) -> None:
    if os.environ.get(KILL_AT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _stage(parent: Path, artifacts: list[Artifact]) -> Path:
    staged = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=parent))
    # mkdtemp makes the directory private; published output must be readable like any checkout
    # (Prometheus and Grafana containers read it as another user).
    staged.chmod(0o755)
    for artifact in artifacts:
        path = staged / artifact.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(artifact.content.encode("utf-8"))
    return staged


def _fsync_trees(directories: list[Path]) -> None:
    for directory in directories:
        _fsync_tree(directory)


def _fsync_tree(directory: Path) -> None:
    """Staged bytes reach the disk before the journal makes them the published version (_publish)."""
    for path in sorted(directory.rglob("*"), reverse=True) + [directory]:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


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


# Checks staged directories together: (output, its staged copy) of every output with files -> problems.
ValidateAll = Callable[[list[tuple[Output, Path]]], list[str]]


def validate_each(staged: list[tuple[Output, Path]]) -> list[str]:
    return [problem for output, directory in staged for problem in output.validate(directory)]


def publish_all(outputs: list[Output], build_record: dict | None = None,
                validate_all: ValidateAll = validate_each) -> list[Changes]:
    """Stage and validate every directory first; swap them in only when all pass, so a build of
    several journeys never publishes some of them and fails on the next. build_record: how the
    output was built (see recorded_build), kept in the manifest. validate_all: checks every staged
    directory (by default each Output's validate on its own; a build checks them together)."""
    parent = _common_parent(outputs)
    if parent.exists() and not parent.is_dir():
        raise OutputUnwritable(f"{parent}: is a file; --out must name a directory")
    created = not parent.exists()
    try:
        return _publish_into(parent, outputs, build_record, validate_all)
    except BaseException:
        # A failed first build leaves no trace: not even the empty --out it made for its staging.
        if created:
            _remove_if_empty(parent)
        raise


def _remove_if_empty(directory: Path) -> None:
    try:
        directory.rmdir()
    except OSError:
        pass


def _publish_into(parent: Path, outputs: list[Output], build_record: dict | None,
                  validate_all: ValidateAll) -> list[Changes]:
    try:
        parent.mkdir(parents=True, exist_ok=True)
        recover(parent)
        return _publish(parent, outputs, build_record, validate_all)
    except OSError as exc:
        # Permissions, a read-only or full file system, a file where a directory should be: all
        # things the user fixes, named in one line rather than a traceback.
        raise OutputUnwritable(f"{parent}: cannot write the output ({exc.strerror or exc}: {exc.filename}); "
                               f"check that --out names a writable directory") from None


def _common_parent(outputs: list[Output]) -> Path:
    parents = {o.directory.parent for o in outputs}
    if len(parents) != 1:
        raise ValueError(f"outputs must share one parent directory, not {sorted(map(str, parents))}")
    return parents.pop()


def _publish(parent: Path, outputs: list[Output], build_record: dict | None,
             validate_all: ValidateAll) -> list[Changes]:
    manifest = read_manifest(parent)
    _refuse_foreign_files(outputs, manifest)
    changes = [compare(o.directory, o.artifacts) for o in outputs]
    swapped = [o for o, c in zip(outputs, changes) if c.any]
    staged: dict[str, Path] = {}
    with ThreadPoolExecutor(max_workers=1) as syncing:
        try:
            for output in outputs:
                if output.artifacts:
                    staged[output.directory.name] = _stage(parent, output.artifacts)
            # Only what is swapped in is synced (an unchanged directory is validated, never published), while the
            # validators run; the journal waits for it.
            synced = syncing.submit(_fsync_trees, [staged[o.directory.name] for o in swapped if o.artifacts])
            problems = validate_all([(o, staged[o.directory.name]) for o in outputs if o.artifacts])
            if problems:
                raise ValidationFailed("generated output failed validation; nothing was written:\n"
                                       + "\n".join(problems))
            _step("staged")
            progress.step(f"publish: swapping {len(swapped)} changed director(ies) into {shown(parent)}/")
            swaps = [_swap_entry(o.directory, staged.get(o.directory.name)) for o in swapped]
            written = _manifest_after(parent, manifest, outputs, build_record)
            synced.result()
            _write_atomically(parent / JOURNAL, json.dumps({"swaps": swaps, "manifest": written}, sort_keys=True))
            _step("journal-written")
            _complete(parent)
            return changes
        finally:
            syncing.shutdown(wait=True)  # before the staged copies are removed
            for staging in staged.values():
                shutil.rmtree(staging, ignore_errors=True)


def _manifest_after(parent: Path, manifest: dict[str, list[str]], outputs: list[Output],
                    build_record: dict | None) -> dict:
    """The manifest once these outputs are published: other directories' files as they were, these outputs'
    files, and how the output was built."""
    built = {o.directory.name for o in outputs}
    written: dict = {name: files for name, files in manifest.items() if name not in built}
    written.update({o.directory.name: sorted(a.path for a in o.artifacts) for o in outputs if o.artifacts})
    recorded = build_record if build_record is not None else recorded_build(parent)
    if recorded is not None:
        written[BUILD_RECORD] = recorded
    return written


def _swap_entry(directory: Path, staging: Path | None) -> dict:
    if staging is None:
        return {"target": directory.name, "staging": None, "inode": None}
    return {"target": directory.name, "staging": staging.name, "inode": staging.stat().st_ino}


def recover(parent: Path) -> None:
    """Finish what a killed build started: complete its journal, then delete its leftovers."""
    if (parent / JOURNAL).is_file():
        _complete(parent)
    for legacy in sorted(parent.glob(LEGACY_BACKUP_PREFIX + "*")):
        original = parent / legacy.name[len(LEGACY_BACKUP_PREFIX):]
        if not original.exists():
            legacy.rename(original)  # killed between the two renames of the old swap: roll back
    _remove_leftovers(parent)


def _complete(parent: Path) -> None:
    """Make every swap of the journal (those already made are recognised and skipped), record the
    manifest, then drop the journal and the old copies. Safe to run again after a kill at any line."""
    journal = json.loads((parent / JOURNAL).read_text(encoding="utf-8"))
    for number, swap in enumerate(journal["swaps"]):
        target = parent / swap["target"]
        if swap["staging"] is None:
            if target.exists():
                target.rename(parent / f"{TRASH_PREFIX}{swap['target']}-{os.getpid()}")
        elif not (target.exists() and target.stat().st_ino == swap["inode"]):
            _exchange(parent / swap["staging"], target)
        _step(f"swapped-{number}")
    _write_atomically(parent / MANIFEST, json.dumps(journal["manifest"], indent=1, sort_keys=True) + "\n")
    _step("manifest-written")
    (parent / JOURNAL).unlink()
    _fsync_dir(parent)
    _step("journal-removed")
    _remove_leftovers(parent)


def _remove_leftovers(parent: Path) -> None:
    for leftover in sorted(parent.glob(".obsgen-*")):
        if leftover.name.startswith((STAGING_PREFIX, TRASH_PREFIX)):
            shutil.rmtree(leftover, ignore_errors=True)
        elif leftover.name.startswith((JOURNAL + ".", MANIFEST + ".")):
            leftover.unlink(missing_ok=True)


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + f".{os.getpid()}")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(staging: Path, target: Path) -> None:
    """Put staging at target in one step; the old target (if any) ends up at staging's name."""
    if not target.exists():
        staging.rename(target)
        return
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        if renameat2(_AT_FDCWD, os.fsencode(staging), _AT_FDCWD, os.fsencode(target), _RENAME_EXCHANGE) == 0:
            _fsync_dir(target.parent)
            return
        error = ctypes.get_errno()
        if error not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise OSError(error, os.strerror(error), str(target))
    # No atomic exchange on this system or file system: two renames. A kill between them leaves
    # target missing until the next build, which completes the journal.
    trash = target.parent / f"{TRASH_PREFIX}{target.name}-{os.getpid()}"
    target.rename(trash)
    staging.rename(target)


def read_manifest(parent: Path) -> dict[str, list[str]]:
    """Directory name -> the files obsgen wrote there in the last build ({} before the first)."""
    path = parent / MANIFEST
    if not path.is_file():
        return {}
    data = _manifest_data(path)
    try:
        return {str(name): [str(f) for f in files] for name, files in data.items() if name != BUILD_RECORD}
    except (AttributeError, TypeError) as exc:
        raise ObsgenError(f"{path}: unreadable manifest of written files ({exc}); delete it to rebuild") from None


def recorded_build(parent: Path) -> dict | None:
    """How the output in parent was last built (publish_all's build_record), None when not recorded."""
    path = parent / MANIFEST
    if not path.is_file():
        return None
    record = _manifest_data(path).get(BUILD_RECORD)
    return record if isinstance(record, dict) else None


def _manifest_data(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ObsgenError(f"{path}: unreadable manifest of written files ({exc}); delete it to rebuild") from None
    if not isinstance(data, dict):
        raise ObsgenError(f"{path}: unreadable manifest of written files (not an object); delete it to rebuild")
    return data


def _refuse_foreign_files(outputs: list[Output], manifest: dict[str, list[str]]) -> None:
    """Files in an output directory that the last build did not write. Without any manifest the output
    was written by an obsgen that kept none: its files are taken as obsgen's, once."""
    if not manifest:
        return
    foreign = []
    for output in outputs:
        written = set(manifest.get(output.directory.name, []))
        foreign += [output.directory / f for f in _existing_names(output.directory) if f not in written]
    if foreign:
        raise ForeignFiles(
            "these files were not written by obsgen, and publishing would replace or delete them: "
            + ", ".join(str(f) for f in foreign)
            + ". Move them out of the output directory (obsgen owns OUT/<journey>/ entirely), then build again.")
