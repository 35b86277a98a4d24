"""Copy a service's output (stdin) to its log file, rotating by size, so `.stack/logs` stays bounded.

    python3 logpump.py FILE MAX_BYTES BACKUPS

Run as a script by lab.stack.process.spawn, in its own session, reading the service's stdout/stderr
through a pipe; it ends when the service (every holder of the pipe's write end) has exited. When FILE
would grow past MAX_BYTES it becomes FILE.1 (FILE.1 becomes FILE.2, ... up to FILE.BACKUPS, the oldest
is dropped), so the service's logs never take more than (BACKUPS + 1) * MAX_BYTES. Standard library only:
it must start in any python3 without obsgen on the path.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import BinaryIO

# Also used by the native runner (imported there); documented in docs/stack.md "Disk".
LOG_MAX_BYTES = 10 * 1024 * 1024
LOG_BACKUPS = 3


class RotatingLog:
    """An append-only file that rotates to FILE.1..FILE.<backups> before exceeding max_bytes."""

    def __init__(self, path: Path, max_bytes: int, backups: int):
        self.path = path
        self.max_bytes = max_bytes
        self.backups = backups
        self.fd = self._open()

    def _open(self) -> int:
        return os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def write(self, data: bytes) -> None:
        size = os.fstat(self.fd).st_size
        if size and size + len(data) > self.max_bytes:
            self.rotate()
        os.write(self.fd, data)

    def rotate(self) -> None:
        os.close(self.fd)
        for index in range(self.backups - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{index}")
            if older.exists():
                older.replace(self.path.with_name(f"{self.path.name}.{index + 1}"))
        if self.backups > 0:
            self.path.replace(self.path.with_name(f"{self.path.name}.1"))
        else:
            self.path.unlink(missing_ok=True)
        self.fd = self._open()

    def close(self) -> None:
        os.close(self.fd)


def pump(source: BinaryIO, log: RotatingLog) -> None:
    # Line by line, so a rotation never splits a line; a very long line is written in pieces.
    while True:
        line = source.readline(64 * 1024)
        if not line:
            return
        log.write(line)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    log = RotatingLog(Path(argv[0]), int(argv[1]), int(argv[2]))
    try:
        pump(sys.stdin.buffer, log)
    finally:
        log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
