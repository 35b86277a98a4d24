"""Paths as messages show them: relative to the working directory, so an editor or a CI annotation
opens them from where the command ran; absolute when outside it."""

from __future__ import annotations

import os
from pathlib import Path


def shown(path: str | Path) -> str:
    """`path` for a message: relative to the current directory when inside it, else absolute."""
    path = Path(path)
    try:
        relative = os.path.relpath(path.resolve(), Path.cwd())
    except ValueError:  # another drive on Windows
        return path.as_posix()
    return path.resolve().as_posix() if relative.startswith("..") else Path(relative).as_posix()


def from_project(name: str, out_dir: Path) -> str:
    """A name recorded relative to the project (the output directory's parent, as generated headers and
    the fleet manifest hold spec paths), shown from the current directory."""
    if Path(name).is_absolute():
        return shown(name)
    return shown(out_dir.resolve().parent / name)
