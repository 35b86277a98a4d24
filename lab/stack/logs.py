"""Printing and following a service's log file."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from lab.stack.health import tail

FOLLOW_POLL_SECONDS = 0.5


def follow(path: Path, write: Callable[[str], None], lines: int,
           keep_going: Callable[[], bool] = lambda: True) -> None:
    """Print the last lines, then whatever is appended (like `tail -F`, survives truncation)."""
    write(tail(path, lines))
    position = path.stat().st_size if path.exists() else 0
    while keep_going():
        size = path.stat().st_size if path.exists() else 0
        if size < position:
            position = 0  # truncated or replaced
        if size > position:
            with open(path, "rb") as handle:
                handle.seek(position)
                chunk = handle.read(size - position)
            write(chunk.decode(errors="replace"))
            position += len(chunk)
        time.sleep(FOLLOW_POLL_SECONDS)
