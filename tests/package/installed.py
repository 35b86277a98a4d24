"""obsgen as a user gets it: a wheel built from this checkout, installed into a fresh venv.

The wheel is built from a copy of the files it packs, so the build leaves nothing (build/,
*.egg-info) in the checkout. Dependencies come from the package index through pip's own cache.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT

# What pyproject.toml packs into the wheel, and what it reads while building (readme).
SOURCES = ("pyproject.toml", "README.md", "obsgen")
# A user's environment does not point into the checkout.
CHECKOUT_VARIABLES = ("PYTHONPATH", "VIRTUAL_ENV", "OBSGEN_REPO_ROOT", "PYTHONHOME")


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def run(self, *args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """`obsgen ARGS` from the venv's console script, outside the checkout."""
        return subprocess.run([str(self.bin / "obsgen"), *args], cwd=cwd, capture_output=True, text=True,
                              env=env if env is not None else user_environment(self), check=False, timeout=600)


def user_environment(installed: Installed | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CHECKOUT_VARIABLES}
    if installed:
        env["PATH"] = f"{installed.bin}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **extra}


def _copy_sources(into: Path) -> Path:
    source = into / "source"
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            source.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, source / name)
    return source


def _pip(python: Path | str, *args: str) -> None:
    subprocess.run([str(python), "-m", "pip", "--disable-pip-version-check", *args], check=True,
                   capture_output=True, text=True, env=user_environment(), timeout=900)


def build_wheel(work: Path) -> Path:
    dist = work / "dist"
    _pip(sys.executable, "wheel", "--no-deps", "--wheel-dir", str(dist), str(_copy_sources(work)))
    (wheel,) = dist.glob("obsgen-*.whl")
    return wheel


def install_into_fresh_venv(wheel: Path, venv: Path) -> Installed:
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    _pip(venv / "bin" / "python", "install", str(wheel))
    return Installed(wheel, venv)


def git(*args: str, cwd: Path) -> str:
    env = user_environment(GIT_AUTHOR_NAME="obsgen tests", GIT_AUTHOR_EMAIL="tests@obsgen.invalid",
                           GIT_COMMITTER_NAME="obsgen tests", GIT_COMMITTER_EMAIL="tests@obsgen.invalid")
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env).stdout.strip()


def snapshot_repository(into: Path, *extra: str) -> tuple[Path, str]:
    """A git repository of what is on disk here (committed or not): the package plus `extra` files,
    in one commit, and that commit's sha. Tools that clone a repository at a revision (pre-commit)
    then test this working tree, not the last commit."""
    source = _copy_sources(into)
    for name in extra:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    git("init", "-q", "-b", "main", cwd=source)
    git("add", "-A", cwd=source)
    git("commit", "-q", "-m", "snapshot", cwd=source)
    return source, git("rev-parse", "HEAD", cwd=source)
