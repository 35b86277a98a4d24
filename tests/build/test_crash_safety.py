"""Publishing is all or nothing even under `kill -9`: the build process is really killed (SIGKILL)
at each step of publishing, then the tree is checked and the next build must complete it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from obsgen.build import writer
from tests.conftest import ROOT

pytestmark = pytest.mark.integration  # every test runs (and kills) obsgen build in a process

SPECS = ("etcd-kv.yaml", "nightly-backup.yaml")
DIRECTORIES = ("etcd-kv", "nightly-backup", "_fleet")
# Every step publish_all names with writer._step, in order: before the journal, each swap, after.
STEPS = ("staged", "journal-written", "swapped-0", "swapped-1", "swapped-2", "manifest-written", "journal-removed")


def tree(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def build(project: Path, kill_at: str | None = None) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if name != writer.KILL_AT_ENV}
    if kill_at:
        env[writer.KILL_AT_ENV] = kill_at
    return subprocess.run([sys.executable, "-m", "obsgen", "build", "--no-validate", "specs/"],
                          cwd=project, capture_output=True, text=True, env=env)


def retitle(project: Path) -> None:
    """A change that alters every published directory (titles are in dashboards, runbooks and the fleet index)."""
    for name in SPECS:
        spec = project / "specs" / name
        spec.write_text(spec.read_text().replace("\n  title: ", "\n  title: Renamed ", 1))


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> tuple[Path, dict, dict]:
    """A project holding the old build with already changed specs, and the trees of both versions."""
    project = tmp_path_factory.mktemp("old")
    (project / "specs").mkdir()
    for name in SPECS:
        shutil.copy(ROOT / "specs" / "examples" / name, project / "specs" / name)
    assert build(project).returncode == 0
    old = {d: tree(project / "generated" / d) for d in DIRECTORIES}
    retitle(project)
    fresh = tmp_path_factory.mktemp("new")
    shutil.copytree(project, fresh, dirs_exist_ok=True)
    assert build(fresh).returncode == 0
    new = {d: tree(fresh / "generated" / d) for d in DIRECTORIES}
    assert all(old[d] != new[d] for d in DIRECTORIES), "the change must touch every directory"
    return project, old, new


@pytest.mark.parametrize("step", STEPS)
def test_a_build_killed_while_publishing_leaves_old_or_new_and_the_next_build_completes_it(
        versions, tmp_path: Path, step: str):
    template, old, new = versions
    project = tmp_path / "project"
    shutil.copytree(template, project)
    out = project / "generated"

    killed = build(project, kill_at=step)
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    for directory in DIRECTORIES:
        published = tree(out / directory)
        assert published in (old[directory], new[directory]), f"{directory}/ is neither the old nor the new build"
    if STEPS.index(step) >= STEPS.index("swapped-2"):
        assert all(tree(out / d) == new[d] for d in DIRECTORIES)

    assert build(project).returncode == 0
    assert {d: tree(out / d) for d in DIRECTORIES} == new
    assert [p.name for p in out.glob(".obsgen-*")] == [writer.MANIFEST], "leftovers of the killed build remain"
