"""`obsgen stack env`: the compose stack's stack/.env, with random credentials.

stack/docker-compose.yml reads every credential from .env in its own directory and refuses to start
without them (`${VAR:?...}`); this writes one a user can keep (mode 0600, never committed).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

COMPOSE_ENV_NAME = ".env"
# Hex: safe inside the URLs compose builds from them (amqp://user:password@..., postgresql://...).
PASSWORD_BYTES = 16


class ComposeEnvExists(RuntimeError):
    pass


def compose_env_values() -> dict[str, str]:
    """Every variable the compose file requires, plus the safe defaults spelled out to be edited."""
    return {
        "POSTGRES_PASSWORD": secrets.token_hex(PASSWORD_BYTES),
        "RABBITMQ_USER": "recordstore",
        "RABBITMQ_PASSWORD": secrets.token_hex(PASSWORD_BYTES),
        "GRAFANA_ADMIN_USER": "admin",
        "GRAFANA_ADMIN_PASSWORD": secrets.token_hex(PASSWORD_BYTES),
        # 0.0.0.0 publishes every port on all interfaces.
        "OBSGEN_BIND": "127.0.0.1",
        # 1 turns on the store's /admin/faults (failure drills).
        "RECORDSTORE_ADMIN_ENABLED": "0",
    }


def write_compose_env(stack_assets: Path, force: bool = False) -> Path:
    """Write stack_assets/.env (refusing to replace one unless force) and return its path."""
    path = stack_assets / COMPOSE_ENV_NAME
    if path.exists() and not force:
        raise ComposeEnvExists(f"{path} exists; keep it, or pass --force to replace its credentials "
                               "(a PostgreSQL volume keeps the old password: `docker compose down -v` first)")
    text = "# Written by `obsgen stack env` for stack/docker-compose.yml. Keep it private.\n" + "".join(
        f"{name}={value}\n" for name, value in compose_env_values().items())
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    path.chmod(0o600)
    return path
