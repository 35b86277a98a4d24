"""Single-process daemons: nginx, Prometheus, Alertmanager, postgres_exporter.

Prometheus and Alertmanager run as scripts/go-tools' pinned builds (Prometheus 3, current
Alertmanager) when installed, else from Debian's packages; $OBSGEN_PROMETHEUS and
$OBSGEN_ALERTMANAGER override both."""

from __future__ import annotations

import os
from pathlib import Path

from lab.stack.accounts import check_traversable, give_to
from lab.stack.health import HttpProbe, Probe, TcpProbe
from lab.stack.prometheus_config import journey_rule_globs, render_native
from lab.stack.services.base import Service, StackContext, find_binary, install_go_tool, log
from lab.stack.services.postgres import database_url
from lab.stack.templates import render_to, write_if_changed

# The contract's one Alertmanager config (relative to generated/).
# Every journey of the last build routes through it (obsgen.artifacts.fleet).
GENERATED_ALERTMANAGER_CONFIG = Path("_fleet/alertmanager/alertmanager.yaml")
NGINX_TEMP_SUBDIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


class _OwnedStateService(Service):
    """A daemon whose state directory belongs to the daemon account."""

    binary_name = ""
    binary_candidates: tuple[str, ...] = ()
    package = ""
    env_var = ""  # a binary that wins over every other
    go_tool_name = ""  # scripts/go-tools' name for the pinned build preferred over the package's

    def binary(self) -> str | None:
        return find_binary(self.binary_name, *self.binary_candidates, env_var=self.env_var,
                           go_tool_name=self.go_tool_name)

    def install(self, ctx: StackContext) -> None:
        if self.go_tool_name and not (self.env_var and os.environ.get(self.env_var)):
            install_go_tool(ctx, self.go_tool_name)

    def unavailable_reason(self, ctx: StackContext) -> str | None:
        if self.binary() is None:
            if self.env_var and os.environ.get(self.env_var):
                return f"${self.env_var}={os.environ[self.env_var]!r} is not an executable"
            how = f"scripts/go-tools install {self.go_tool_name}, or " if self.go_tool_name else ""
            return f"{self.binary_name} not found ({how}install the {self.package} package; see scripts/bootstrap --stack)"
        return None

    def home(self, ctx: StackContext) -> Path:
        return ctx.layout.service_dir(self.name)

    def prepare(self, ctx: StackContext) -> None:
        self.home(ctx).mkdir(parents=True, exist_ok=True)
        self.prepare_files(ctx)
        give_to(self.home(ctx), self.account(ctx))
        check_traversable(self.home(ctx), self.account(ctx))
        self.prepare_log(ctx)

    def prepare_files(self, ctx: StackContext) -> None:
        """Render configuration into self.home(ctx)."""

    def working_dir(self, ctx: StackContext) -> Path:
        return self.home(ctx)


class Nginx(_OwnedStateService):
    name = "nginx"
    summary = "nginx API gateway (X-Correlation-ID)"
    binary_name = "nginx"
    binary_candidates = ("/usr/sbin/nginx",)
    package = "nginx"

    def listen_ports(self, ctx: StackContext) -> list[int]:
        return [ctx.ports.gateway]

    def endpoint(self, ctx: StackContext) -> str:
        return f"http://127.0.0.1:{ctx.ports.gateway}"

    def probes(self, ctx: StackContext) -> list[Probe]:
        # Any HTTP answer means nginx is serving; a 502 only says the API is not up (yet).
        return [HttpProbe(f"http://127.0.0.1:{ctx.ports.gateway}/health", expected_status=None)]

    def access_log(self, ctx: StackContext) -> Path:
        return ctx.layout.log_file("nginx-access")

    def stdout_log_path(self, ctx: StackContext) -> Path | None:
        return self.access_log(ctx)

    def prepare_files(self, ctx: StackContext) -> None:
        home = self.home(ctx)
        for sub in NGINX_TEMP_SUBDIRS:
            (home / "temp" / sub).mkdir(parents=True, exist_ok=True)
        assets = ctx.layout.stack_assets / "nginx"
        gateway = render_to(assets / "templates" / "gateway.conf.template", {
            "API_UPSTREAM": f"127.0.0.1:{ctx.ports.api}",
            "GATEWAY_LISTEN": f"127.0.0.1:{ctx.ports.gateway}",
            # Through the stack's rotating log pump (stdout_log_path), like compose's `docker logs`.
            "GATEWAY_ACCESS_LOG": "/dev/stdout",
        }, home / "gateway.conf")
        render_to(assets / "nginx.native.conf.template", {
            "PID_FILE": home / "nginx.pid",
            "TEMP_DIR": home / "temp",
            "GATEWAY_CONF": gateway,
        }, self.config_path(ctx))

    def config_path(self, ctx: StackContext) -> Path:
        return self.home(ctx) / "nginx.conf"

    def command(self, ctx: StackContext) -> list[str]:
        return [self.binary() or "nginx", "-p", str(self.home(ctx)), "-c", str(self.config_path(ctx)),
                "-e", "stderr"]


class Prometheus(_OwnedStateService):
    name = "prometheus"
    summary = "Prometheus (generated rules)"
    # Reads generated/ in the checkout, which belongs to whoever ran `obsgen build`.
    runs_as_daemon_account = False
    binary_name = "prometheus"
    binary_candidates = ("/usr/bin/prometheus",)
    package = "prometheus"
    env_var = "OBSGEN_PROMETHEUS"
    go_tool_name = "prometheus"

    def listen_ports(self, ctx: StackContext) -> list[int]:
        return [ctx.ports.prometheus]

    def endpoint(self, ctx: StackContext) -> str:
        return f"http://127.0.0.1:{ctx.ports.prometheus}"

    def probes(self, ctx: StackContext) -> list[Probe]:
        return [HttpProbe(f"http://127.0.0.1:{ctx.ports.prometheus}/-/ready")]

    def config_path(self, ctx: StackContext) -> Path:
        return self.home(ctx) / "prometheus.yml"

    def prepare_files(self, ctx: StackContext) -> None:
        (self.home(ctx) / "data").mkdir(exist_ok=True)
        self.render_config(ctx)

    def render_config(self, ctx: StackContext) -> Path:
        globs = journey_rule_globs(ctx.layout.generated_dir)
        if not globs:
            log.warning("prometheus: no rule files yet (%s/*/prometheus/ is empty; run `obsgen build`)",
                        ctx.layout.generated_dir)
        content = render_native(ctx.layout.repo_root, ctx.layout.generated_dir, ctx.ports, ctx.scrape_seconds)
        write_if_changed(self.config_path(ctx), content)
        return self.config_path(ctx)

    def command(self, ctx: StackContext) -> list[str]:
        return [
            self.binary() or "prometheus",
            f"--config.file={self.config_path(ctx)}",
            f"--storage.tsdb.path={self.home(ctx) / 'data'}",
            f"--web.listen-address=127.0.0.1:{ctx.ports.prometheus}",
            "--web.enable-lifecycle",
            # Latency histograms carry trace ids as exemplars.
            "--enable-feature=exemplar-storage",
        ]


class Alertmanager(_OwnedStateService):
    name = "alertmanager"
    summary = "Alertmanager (generated config)"
    # Reads generated/ in the checkout, which belongs to whoever ran `obsgen build`.
    runs_as_daemon_account = False
    binary_name = "prometheus-alertmanager"
    binary_candidates = ("/usr/bin/prometheus-alertmanager",)
    package = "prometheus-alertmanager"
    env_var = "OBSGEN_ALERTMANAGER"
    go_tool_name = "alertmanager"

    def listen_ports(self, ctx: StackContext) -> list[int]:
        return [ctx.ports.alertmanager]

    def endpoint(self, ctx: StackContext) -> str:
        return f"http://127.0.0.1:{ctx.ports.alertmanager}"

    def probes(self, ctx: StackContext) -> list[Probe]:
        return [HttpProbe(f"http://127.0.0.1:{ctx.ports.alertmanager}/-/ready")]

    def config_path(self, ctx: StackContext) -> Path:
        generated = ctx.layout.generated_dir / GENERATED_ALERTMANAGER_CONFIG
        if generated.is_file():
            return generated
        return ctx.layout.stack_assets / "alertmanager" / "fallback.yml"

    def prepare_files(self, ctx: StackContext) -> None:
        (self.home(ctx) / "data").mkdir(exist_ok=True)
        if not (ctx.layout.generated_dir / GENERATED_ALERTMANAGER_CONFIG).is_file():
            log.warning("alertmanager: %s does not exist yet (run `obsgen build`); using %s",
                        ctx.layout.generated_dir / GENERATED_ALERTMANAGER_CONFIG, self.config_path(ctx))

    def command(self, ctx: StackContext) -> list[str]:
        return [
            self.binary() or "prometheus-alertmanager",
            f"--config.file={self.config_path(ctx)}",
            f"--storage.path={self.home(ctx) / 'data'}",
            f"--web.listen-address=127.0.0.1:{ctx.ports.alertmanager}",
            # A single node: no gossip listener.
            "--cluster.listen-address=",
        ]


class PostgresExporter(_OwnedStateService):
    name = "postgres-exporter"
    summary = "postgres_exporter (pg_up)"
    binary_name = "prometheus-postgres-exporter"
    binary_candidates = ("/usr/bin/prometheus-postgres-exporter",)
    package = "prometheus-postgres-exporter"

    def listen_ports(self, ctx: StackContext) -> list[int]:
        return [ctx.ports.postgres_exporter]

    def endpoint(self, ctx: StackContext) -> str:
        return f"http://127.0.0.1:{ctx.ports.postgres_exporter}/metrics"

    def probes(self, ctx: StackContext) -> list[Probe]:
        return [TcpProbe("127.0.0.1", ctx.ports.postgres_exporter),
                HttpProbe(f"http://127.0.0.1:{ctx.ports.postgres_exporter}/metrics")]

    def environment(self, ctx: StackContext) -> dict[str, str]:
        env = ctx.base_env()
        env["DATA_SOURCE_NAME"] = database_url(ctx.ports.postgres) + "?sslmode=disable"
        return env

    def command(self, ctx: StackContext) -> list[str]:
        return [self.binary() or "prometheus-postgres-exporter",
                f"--web.listen-address=127.0.0.1:{ctx.ports.postgres_exporter}"]
