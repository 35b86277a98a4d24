"""The native stack's log pump: a service's output reaches its log file, rotated by size."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from lab.stack import process

pytestmark = pytest.mark.integration  # every test starts the log pump

PUMP = Path(process.LOG_PUMP)


def test_pump_rotates_and_keeps_lines_whole(tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    lines = b"".join(b"line %05d %s\n" % (index, b"x" * 80) for index in range(2000))
    subprocess.run([sys.executable, str(PUMP), str(log), "20000", "2"], input=lines, check=True, timeout=30)
    files = [log, log.with_name("worker.log.1"), log.with_name("worker.log.2")]
    assert sorted(tmp_path.iterdir()) == sorted(files)
    assert all(0 < path.stat().st_size <= 20000 for path in files)
    kept = b"".join(path.read_bytes() for path in reversed(files)).splitlines()
    assert kept[-1].startswith(b"line 01999 ")
    assert all(line.startswith(b"line ") and line.endswith(b"x" * 80) for line in kept)


def test_spawned_service_output_goes_through_the_pump(tmp_path: Path) -> None:
    log, out = tmp_path / "svc.log", tmp_path / "svc-out.log"
    command = [sys.executable, "-c", "import sys; print('to stdout'); print('to stderr', file=sys.stderr)"]
    popen = process.spawn(command, env={process.MARKER_ENV: str(tmp_path)}, log_path=log, cwd=tmp_path,
                          stdout_log_path=out)
    popen.wait(timeout=30)
    for _ in range(100):  # the pumps end just after the service
        if log.exists() and out.exists() and log.stat().st_size and out.stat().st_size:
            break
        time.sleep(0.05)
    assert out.read_text() == "to stdout\n"
    assert log.read_text() == "to stderr\n"

