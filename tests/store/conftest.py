"""Session fixtures for the record store tests (helpers live in storestack.py).

`store_stack` starts real PostgreSQL, RabbitMQ, payment gateway, API and worker
on free loopback ports under a temporary directory and always tears them down.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from storestack import PG_BIN, RABBITMQ_BIN, Stack, build_stack, start_stack  # noqa: E402


@pytest.fixture(scope="session")
def store_stack() -> Iterator[Stack]:
    """PostgreSQL + RabbitMQ + payment gateway + API + worker, started once per session."""
    for binary in (PG_BIN / "initdb", RABBITMQ_BIN / "rabbitmq-server"):
        if not binary.exists():
            pytest.fail(f"{binary} is missing: install the postgresql-15 and rabbitmq-server packages")
    base_dir = Path(tempfile.mkdtemp(prefix="recordstore-test-"))
    os.chmod(base_dir, 0o755)  # PostgreSQL runs as another user below it
    stack = build_stack(base_dir)
    try:
        start_stack(stack)
        yield stack
    finally:
        stack.stop_all()
        if os.environ.get("RECORDSTORE_KEEP_TEST_DIR") != "1":
            shutil.rmtree(base_dir, ignore_errors=True)
