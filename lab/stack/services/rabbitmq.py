"""RabbitMQ (with the rabbitmq_prometheus plugin) and its Erlang port mapper.

The stack runs its own epmd on a per-stack port: an epmd started implicitly by the Erlang
VM would daemonise, outlive `down`, and be shared with any other Erlang node on the host.
"""

from __future__ import annotations

import secrets
import string
from pathlib import Path

from lab.stack import process
from lab.stack.accounts import check_traversable, give_to
from lab.stack.health import HttpProbe, Probe, TcpProbe
from lab.stack.process import ProcessRecord
from lab.stack.services.base import Service, StackContext, find_binary, log
from lab.stack.templates import render_to

RABBITMQ_BINDIR = Path("/usr/lib/rabbitmq/bin")
NODE_NAME = "obsgen@localhost"
BROKER_USER = "guest"


def broker_url(amqp_port: int, host: str = "127.0.0.1") -> str:
    return f"amqp://{BROKER_USER}:{BROKER_USER}@{host}:{amqp_port}//"


class Epmd(Service):
    name = "epmd"
    summary = "Erlang port mapper (for RabbitMQ)"
    startup_timeout = 10.0

    def unavailable_reason(self, ctx: StackContext) -> str | None:
        return None if find_binary("epmd") else "epmd not found (install erlang-base / rabbitmq-server)"

    def listen_ports(self, ctx: StackContext) -> list[int]:
        return [ctx.ports.epmd]

    def endpoint(self, ctx: StackContext) -> str:
        return f"tcp://127.0.0.1:{ctx.ports.epmd}"

    def probes(self, ctx: StackContext) -> list[Probe]:
        return [TcpProbe("127.0.0.1", ctx.ports.epmd)]

    def prepare(self, ctx: StackContext) -> None:
        self.prepare_log(ctx)

    def command(self, ctx: StackContext) -> list[str]:
        return [find_binary("epmd") or "epmd", "-port", str(ctx.ports.epmd), "-address", "127.0.0.1"]


class RabbitMQ(Service):
    name = "rabbitmq"
    summary = "RabbitMQ broker + Prometheus plugin"
    startup_timeout = 90.0
    stop_timeout = 30.0

    def unavailable_reason(self, ctx: StackContext) -> str | None:
        if not (RABBITMQ_BINDIR / "rabbitmq-server").is_file():
            return f"{RABBITMQ_BINDIR}/rabbitmq-server not found (install rabbitmq-server; see scripts/bootstrap)"
        return None

    def listen_ports(self, ctx: StackContext) -> list[int]:
        return [ctx.ports.rabbitmq, ctx.ports.rabbitmq_prometheus, ctx.ports.rabbitmq_dist]

    def endpoint(self, ctx: StackContext) -> str:
        return (f"amqp://127.0.0.1:{ctx.ports.rabbitmq}  "
                f"http://127.0.0.1:{ctx.ports.rabbitmq_prometheus}/metrics")

    def probes(self, ctx: StackContext) -> list[Probe]:
        return [TcpProbe("127.0.0.1", ctx.ports.rabbitmq),
                HttpProbe(f"http://127.0.0.1:{ctx.ports.rabbitmq_prometheus}/metrics")]

    def _home(self, ctx: StackContext) -> Path:
        return ctx.layout.service_dir(self.name)

    def prepare(self, ctx: StackContext) -> None:
        home = self._home(ctx)
        for sub in ("mnesia", "log", "home"):
            (home / sub).mkdir(parents=True, exist_ok=True)
        assets = ctx.layout.stack_assets / "rabbitmq"
        render_to(assets / "rabbitmq.native.conf",
                  {"AMQP_PORT": ctx.ports.rabbitmq, "PROMETHEUS_PORT": ctx.ports.rabbitmq_prometheus},
                  home / "rabbitmq.conf")
        render_to(assets / "enabled_plugins.native", {}, home / "enabled_plugins")
        # An empty env file keeps /etc/rabbitmq/rabbitmq-env.conf (the system node's) out.
        (home / "rabbitmq-env.conf").touch(exist_ok=True)
        self._ensure_cookie(home / "home" / ".erlang.cookie")
        give_to(home, self.account(ctx))
        check_traversable(home, self.account(ctx))
        self.prepare_log(ctx)

    @staticmethod
    def _ensure_cookie(cookie: Path) -> None:
        # The node and rabbitmqctl authenticate each other with this shared secret.
        if cookie.is_file() and cookie.read_text().strip():
            return
        cookie.write_text("".join(secrets.choice(string.ascii_uppercase) for _ in range(32)))
        cookie.chmod(0o400)

    def environment(self, ctx: StackContext) -> dict[str, str]:
        home = self._home(ctx)
        env = ctx.base_env()
        env.update({
            "HOME": str(home / "home"),
            "RABBITMQ_NODENAME": NODE_NAME,
            "RABBITMQ_USE_LONGNAME": "false",
            "RABBITMQ_CONF_ENV_FILE": str(home / "rabbitmq-env.conf"),
            "RABBITMQ_CONFIG_FILE": str(home / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(home / "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(home / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(home / "mnesia"),
            "RABBITMQ_LOG_BASE": str(home / "log"),
            "RABBITMQ_PID_FILE": str(home / "rabbitmq.pid"),
            "RABBITMQ_DIST_PORT": str(ctx.ports.rabbitmq_dist),
            "ERL_EPMD_PORT": str(ctx.ports.epmd),
            # Erlang distribution on loopback only.
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
            "RABBITMQ_CTL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        })
        return env

    def working_dir(self, ctx: StackContext) -> Path:
        return self._home(ctx)

    def command(self, ctx: StackContext) -> list[str]:
        # The foreground script traps SIGTERM and shuts the node down cleanly.
        return [str(RABBITMQ_BINDIR / "rabbitmq-server")]

    def rabbitmqctl(self, ctx: StackContext, *arguments: str, timeout: float = 60.0):
        return process.run([str(RABBITMQ_BINDIR / "rabbitmqctl"), *arguments], env=self.environment(ctx),
                           cwd=self._home(ctx), account=self.account(ctx), timeout=timeout)

    def stop(self, ctx: StackContext, record: ProcessRecord, force: bool = False) -> None:
        if not force:
            result = self.rabbitmqctl(ctx, "stop", timeout=self.stop_timeout + 10)
            if result.returncode != 0:
                log.warning("rabbitmqctl stop failed (%s); signalling the node instead",
                            (result.stderr or result.stdout).strip().splitlines()[-1:] or "no output")
            process.wait_until_dead(record, self.stop_timeout)
        super().stop(ctx, record, force=force)
