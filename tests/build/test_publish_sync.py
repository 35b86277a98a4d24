"""What publishing syncs to disk (obsgen.build.writer): every file and directory of a directory it swaps in,
before the journal that commits the swap; nothing of a staged directory whose files did not change, which is
validated and thrown away (a fleet rebuilt after one spec changed stages every journey and swaps in one)."""

from __future__ import annotations

import os
from pathlib import Path

from obsgen.artifacts.base import Artifact
from obsgen.build import writer


def _accept(staged: Path) -> list[str]:
    return []


def _outputs(out: Path, changed: str) -> list[writer.Output]:
    return [writer.Output(out / "same", [Artifact("a.txt", "same"), Artifact("sub/b.txt", "same")], _accept),
            writer.Output(out / "new", [Artifact("a.txt", changed), Artifact("sub/b.txt", "same")], _accept)]


def test_only_the_directories_swapped_in_are_synced_and_before_the_journal(tmp_path: Path, monkeypatch):
    out = tmp_path / "out"
    writer.publish_all(_outputs(out, "first"))
    events: list[tuple[str, str]] = []
    real_fsync, real_step = os.fsync, writer._step

    def fsync(fd: int) -> None:
        events.append(("sync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def step(name: str) -> None:
        events.append(("step", name))
        real_step(name)

    monkeypatch.setattr(writer.os, "fsync", fsync)
    monkeypatch.setattr(writer, "_step", step)
    changes = writer.publish_all(_outputs(out, "second"))

    assert [c.any for c in changes] == [False, True]
    assert (out / "new" / "a.txt").read_text() == "second"
    staged = [Path(path) for kind, path in events if kind == "sync" and writer.STAGING_PREFIX in path]
    roots = {next(p for p in [path, *path.parents] if p.name.startswith(writer.STAGING_PREFIX)) for path in staged}
    assert len(roots) == 1, "one staged directory synced: the one swapped in"
    (root,) = roots
    assert {p.relative_to(root).as_posix() for p in staged} == {".", "a.txt", "sub", "sub/b.txt"}
    journal = events.index(("step", "journal-written"))
    assert all(events.index(("sync", str(p))) < journal for p in staged)
