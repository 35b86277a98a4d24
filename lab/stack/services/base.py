"""What every native service is: how to prepare, start, probe and stop it."""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from lab.stack import process
from lab.stack.accounts import Account, current_account
from lab.stack.health import Probe
from lab.stack.layout import Layout
from lab.stack.ports import Ports
from lab.stack.process import ProcessRecord
from obsgen.tools import go_tool

log = logging.getLogger("lab.stack")


class ServiceError(RuntimeError):
    pass


@dataclasses.dataclass(frozen=True)
class StackContext:
    layout: Layout
    ports: Ports
    scrape_seconds: int
    daemon_account: Account
    worker_concurrency: int  # threads of the store's Celery worker
    # Extra environment for the store's processes (failure knobs, durations), over os.environ.
    store_env: dict[str, str] = dataclasses.field(default_factory=dict)
    python: str = sys.executable

    def base_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env[process.MARKER_ENV] = str(self.layout.state_dir)
        return env

    @property
    def invoking_account(self) -> Account:
        return current_account()


class Service:
    """A native process of the stack. Subclasses fill in the specifics."""

    name: str = ""
    summary: str = ""
    startup_timeout: float = 30.0
    stop_timeout: float = 15.0
    # Daemons from Debian packages run unprivileged; Python processes run as the caller,
    # whose interpreter may live in a home directory the daemon user cannot read.
    runs_as_daemon_account: bool = True

    # -- description -------------------------------------------------------------------
    def unavailable_reason(self, ctx: StackContext) -> str | None:
        """Why this service cannot run on this machine (missing binary/package), or None."""
        return None

    def listen_ports(self, ctx: StackContext) -> list[int]:
        return []

    def endpoint(self, ctx: StackContext) -> str:
        return ""

    def probes(self, ctx: StackContext) -> list[Probe]:
        return []

    def log_path(self, ctx: StackContext) -> Path:
        return ctx.layout.log_file(self.name)

    def stdout_log_path(self, ctx: StackContext) -> Path | None:
        """Where stdout goes when it is not the service's log (nginx's access log)."""
        return None

    def account(self, ctx: StackContext) -> Account:
        return ctx.daemon_account if self.runs_as_daemon_account else ctx.invoking_account

    # -- lifecycle ---------------------------------------------------------------------
    def install(self, ctx: StackContext) -> None:
        """Fetch or build what the service runs, before anything starts (may take minutes once)."""

    def prepare(self, ctx: StackContext) -> None:
        """Create directories and render configuration (idempotent)."""

    def command(self, ctx: StackContext) -> list[str]:
        raise NotImplementedError

    def environment(self, ctx: StackContext) -> dict[str, str]:
        return ctx.base_env()

    def working_dir(self, ctx: StackContext) -> Path:
        return ctx.layout.state_dir

    def launch(self, ctx: StackContext) -> ProcessRecord:
        """Start the process without waiting for readiness; return its record."""
        popen = process.spawn(self.command(ctx), env=self.environment(ctx), log_path=self.log_path(ctx),
                              cwd=self.working_dir(ctx), account=self.account(ctx),
                              stdout_log_path=self.stdout_log_path(ctx))
        record = process.record_for(popen.pid)
        if record is None:
            raise ServiceError(f"{self.name} exited immediately (exit code {popen.poll()})")
        return record

    def after_ready(self, ctx: StackContext) -> None:
        """One-off setup that needs the running service (e.g. database roles)."""

    def stop(self, ctx: StackContext, record: ProcessRecord, force: bool = False) -> None:
        process.terminate(record, timeout=0 if force else self.stop_timeout,
                          first_signal=signal.SIGKILL if force else signal.SIGTERM)

    # -- helpers -----------------------------------------------------------------------
    def prepare_log(self, ctx: StackContext) -> Path:
        """Create the log file up front (`obsgen stack logs` finds it before the first line).
        The log pump writes it, as the invoking user; chowned for tools that append as the daemon."""
        path = self.log_path(ctx)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
        if self.runs_as_daemon_account and os.geteuid() == 0:
            os.chown(path, ctx.daemon_account.uid, ctx.daemon_account.gid)
        return path


def install_go_tool(ctx: StackContext, name: str) -> None:
    """Build scripts/go-tools' pinned `name` once (minutes the first time; its progress goes to stderr).
    Without Go or the script the service falls back to the packaged binary."""
    script = ctx.layout.repo_root / "scripts" / "go-tools"
    if go_tool(name) or shutil.which("go") is None or not script.is_file():
        return
    if subprocess.run([str(script), "install", name], check=False).returncode != 0:
        log.warning("%s: building the pinned release failed; using the packaged binary if there is one", name)


def find_binary(name: str, *candidates: str, env_var: str = "", go_tool_name: str = "") -> str | None:
    """$env_var when set (it must resolve), then scripts/go-tools' pinned build, then the packaged
    paths, then PATH."""
    configured = os.environ.get(env_var) if env_var else None
    if configured:
        return shutil.which(configured)
    pinned = go_tool(go_tool_name) if go_tool_name else None
    if pinned:
        return pinned
    for candidate in candidates:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which(name)
