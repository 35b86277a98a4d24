"""Which files a command line's SPEC arguments name."""

from __future__ import annotations

from pathlib import Path

SPEC_SUFFIXES = (".yaml", ".yml")


def spec_files(paths: tuple[Path, ...]) -> list[Path]:
    """Spec files named directly, or every *.yaml/*.yml in a named directory."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in SPEC_SUFFIXES and p.is_file()))
        else:
            files.append(path)
    return files
