"""PostgreSQL 15 from the Debian package, as an unprivileged user, data in the state dir."""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

from lab.stack import process
from lab.stack.accounts import check_traversable, give_to
from lab.stack.health import Probe, TcpProbe
from lab.stack.process import ProcessRecord
from lab.stack.services.base import Service, ServiceError, StackContext

PREFERRED_MAJOR = 15
BINDIR_ENV = "OBSGEN_PG_BINDIR"
SUPERUSER = "postgres"
DATABASE = "recordstore"
DB_USER = "recordstore"
DB_PASSWORD = "recordstore"
# Linux limit for a unix socket path (sun_path is 108 bytes including the NUL).
MAX_SOCKET_PATH = 107


def find_bindir() -> Path | None:
    override = os.environ.get(BINDIR_ENV)
    if override:
        return Path(override)
    preferred = Path(f"/usr/lib/postgresql/{PREFERRED_MAJOR}/bin")
    if (preferred / "postgres").is_file():
        return preferred
    installed = [path for path in Path("/usr/lib/postgresql").glob("*/bin") if (path / "postgres").is_file()]
    return max(installed, key=lambda path: int(re.sub(r"\D", "", path.parent.name) or 0), default=None)


def database_url(ports_postgres: int, host: str = "127.0.0.1") -> str:
    return f"postgresql://{DB_USER}:{DB_PASSWORD}@{host}:{ports_postgres}/{DATABASE}"


@dataclasses.dataclass(frozen=True)
class PgIsReadyProbe:
    """Ready means accepting connections, not just listening (recovery, startup)."""

    pg_isready: Path
    port: int

    def describe(self) -> str:
        return f"pg_isready -h 127.0.0.1 -p {self.port}"

    def failure(self) -> str | None:
        result = process.run([str(self.pg_isready), "-h", "127.0.0.1", "-p", str(self.port), "-t", "2"],
                             timeout=10)
        return None if result.returncode == 0 else f"{self.describe()}: {result.stdout.strip()}"


class Postgres(Service):
    name = "postgres"
    summary = "PostgreSQL (store database)"
    startup_timeout = 60.0
    stop_timeout = 30.0

    def unavailable_reason(self, ctx: StackContext) -> str | None:
        if find_bindir() is None:
            return "PostgreSQL server binaries not found under /usr/lib/postgresql (run scripts/bootstrap)"
        return None

    def listen_ports(self, ctx: StackContext) -> list[int]:
        return [ctx.ports.postgres]

    def endpoint(self, ctx: StackContext) -> str:
        return f"postgresql://{DB_USER}@127.0.0.1:{ctx.ports.postgres}/{DATABASE}"

    def probes(self, ctx: StackContext) -> list[Probe]:
        return [TcpProbe("127.0.0.1", ctx.ports.postgres),
                PgIsReadyProbe(self._bin("pg_isready"), ctx.ports.postgres)]

    def psql_command(self, ctx: StackContext, arguments: list[str]) -> list[str]:
        """psql connected to the store's database as the store's role (`obsgen stack psql`)."""
        return [str(self._bin("psql")), database_url(ctx.ports.postgres), *arguments]

    def _bin(self, program: str) -> Path:
        bindir = find_bindir()
        if bindir is None:
            raise ServiceError("PostgreSQL server binaries not found under /usr/lib/postgresql")
        return bindir / program

    def _data_dir(self, ctx: StackContext) -> Path:
        return ctx.layout.service_dir(self.name) / "data"

    def _socket_dir(self, ctx: StackContext) -> Path:
        return ctx.layout.service_dir(self.name) / "socket"

    def prepare(self, ctx: StackContext) -> None:
        account = self.account(ctx)
        home = ctx.layout.service_dir(self.name)
        socket_path = self._socket_dir(ctx) / f".s.PGSQL.{ctx.ports.postgres}"
        if len(str(socket_path)) > MAX_SOCKET_PATH:
            raise ServiceError(f"socket path {socket_path} is longer than {MAX_SOCKET_PATH} bytes; "
                               f"use a shorter --state-dir")
        for directory in (home, self._data_dir(ctx), self._socket_dir(ctx)):
            directory.mkdir(parents=True, exist_ok=True)
        self._data_dir(ctx).chmod(0o700)
        give_to(home, account)
        check_traversable(home, account)
        self.prepare_log(ctx)
        if not (self._data_dir(ctx) / "PG_VERSION").is_file():
            self._initdb(ctx)

    def _initdb(self, ctx: StackContext) -> None:
        result = process.run(
            [str(self._bin("initdb")), "-D", str(self._data_dir(ctx)), "-U", SUPERUSER,
             "--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8", "--no-locale"],
            env=ctx.base_env(), cwd=ctx.layout.service_dir(self.name), account=self.account(ctx), timeout=120,
        )
        with open(self.log_path(ctx), "a") as log:
            log.write(result.stdout + result.stderr)
        if result.returncode != 0:
            raise ServiceError(f"initdb failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}")

    def command(self, ctx: StackContext) -> list[str]:
        # The postmaster runs in the foreground of its own session so its pid and exit status
        # are ours to watch; shutdown goes through pg_ctl.
        return [
            str(self._bin("postgres")), "-D", str(self._data_dir(ctx)),
            "-c", f"port={ctx.ports.postgres}",
            "-c", "listen_addresses=127.0.0.1",
            "-c", f"unix_socket_directories={self._socket_dir(ctx)}",
            "-c", "logging_collector=off",
            "-c", "log_line_prefix=%m [%p] %q%u@%d ",
        ]

    def working_dir(self, ctx: StackContext) -> Path:
        return ctx.layout.service_dir(self.name)

    def after_ready(self, ctx: StackContext) -> None:
        script = ctx.layout.stack_assets / "postgres" / "init.sql"
        result = process.run(
            [str(self._bin("psql")), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(self._socket_dir(ctx)),
             "-p", str(ctx.ports.postgres), "-U", SUPERUSER, "-d", "postgres", "-f", str(script)],
            env=ctx.base_env(), cwd=ctx.layout.service_dir(self.name), account=self.account(ctx), timeout=60,
        )
        if result.returncode != 0:
            raise ServiceError(f"{script} failed: {result.stderr.strip()}")

    def stop(self, ctx: StackContext, record: ProcessRecord, force: bool = False) -> None:
        if not force:
            process.run(
                [str(self._bin("pg_ctl")), "stop", "-D", str(self._data_dir(ctx)), "-m", "fast", "-w",
                 "-t", str(int(self.stop_timeout))],
                env=ctx.base_env(), cwd=ctx.layout.service_dir(self.name), account=self.account(ctx),
                timeout=self.stop_timeout + 10,
            )
            process.wait_until_dead(record, 5.0)
        # Escalates (SIGTERM, then SIGKILL) only if pg_ctl did not stop it; a stale
        # postmaster.pid after a hard kill is detected and replaced by the next start.
        super().stop(ctx, record, force=force)
