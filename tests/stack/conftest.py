"""Fixtures for the stack tests: the compose file, free loopback ports, throwaway state dirs."""

from __future__ import annotations

import dataclasses
import fcntl
import os
import random
import re
import shutil
import socket
import tempfile
from pathlib import Path

import pytest
import yaml

from lab.stack.ports import Ports

ROOT = Path(__file__).resolve().parents[2]
STACK_ASSETS = ROOT / "stack"
COMPOSE_FILE = STACK_ASSETS / "docker-compose.yml"


_COMPOSE_VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


class MissingComposeVariable(KeyError):
    pass


def compose_interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's variable interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}
    (https://docs.docker.com/compose/how-tos/environment-variables/variable-interpolation/)."""
    def substitute(match: re.Match) -> str:
        name, op, arg = match["name"], match["op"] or "", match["arg"] or ""
        value = env.get(name)
        unset = value is None or (op.startswith(":") and value == "")
        if op.endswith("?") and unset:
            raise MissingComposeVariable(f"{name}: {arg}")
        if op.endswith("-") and unset:
            return arg
        return value or ""
    return _COMPOSE_VARIABLE.sub(substitute, text)


@pytest.fixture(scope="session")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def _is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


# Ports handed to a stack of this process, each held by a lock on a file of its own until the process exits.
_RESERVED = Path(tempfile.gettempdir()) / "obsgen-test-ports"
_held: list = []


def _reserved(port: int) -> bool:
    """Whether this process now holds the port: a stack of another test worker, which picks its ports at the
    same moment (both free until one binds them), cannot take it too."""
    _RESERVED.mkdir(exist_ok=True)
    handle = open(_RESERVED / str(port), "a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return False
    _held.append(handle)
    return True


def free_ports() -> Ports:
    """Ports for a test stack that clash neither with the contract's (a developer's stack), nor with the
    kernel's ephemeral range (32768+), where outgoing connections land, nor with another test stack's."""
    chooser = random.Random(os.getpid() ^ int.from_bytes(os.urandom(4), "big"))
    taken: set[int] = set()

    def pick(low: int, high: int, also_free=lambda port: True) -> int:
        for _ in range(500):
            port = chooser.randrange(low, high)
            if port not in taken and _is_free(port) and also_free(port) and _reserved(port):
                taken.add(port)
                return port
        raise RuntimeError(f"no free port in [{low}, {high})")

    # RabbitMQ's distribution port is AMQP + 20000: keep both below the ephemeral range.
    rabbitmq = pick(10000, 12700, also_free=lambda port: _is_free(port + 20000) and _reserved(port + 20000))
    taken.add(rabbitmq + 20000)
    # Every other port of the stack, so none is left on its contract default.
    names = [field.name for field in dataclasses.fields(Ports) if field.name != "rabbitmq"]
    return Ports(rabbitmq=rabbitmq, **{name: pick(20000, 30000) for name in names})


def make_state_dir(prefix: str) -> Path:
    # Under /tmp with mode 0755: the daemons run as the unprivileged `obsgen` user when the
    # tests run as root, and pytest's own tmp dirs (0700) are closed to it. Short, too:
    # PostgreSQL's socket path has a 107-byte limit.
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    path.chmod(0o755)
    return path


@pytest.fixture
def state_dir():
    path = make_state_dir("obsgen-st-")
    yield path
    shutil.rmtree(path, ignore_errors=True)
