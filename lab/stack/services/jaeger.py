"""Jaeger v2 (all-in-one, in-memory storage): the store's processes send it their spans over OTLP.

No distribution packages Jaeger: scripts/install-jaeger builds the pinned release from the Go
module proxy into the obsgen cache the first time the stack needs it ($OBSGEN_JAEGER points at
another binary). The configuration is stack/jaeger/config.native.yaml.template, every listener
on loopback.
"""

from __future__ import annotations

import collections
import functools
import os
import shutil
import subprocess
from pathlib import Path

from lab.stack.health import HttpProbe, Probe
from lab.stack.services.base import Service, ServiceError, StackContext, log
from lab.stack.templates import render_to

ENV_VAR = "OBSGEN_JAEGER"
INSTALL_SCRIPT = Path("scripts") / "install-jaeger"
INSTALL_ERROR_LINES = 15


class Jaeger(Service):
    name = "jaeger"
    summary = "Jaeger v2 (OTLP in, query API, memory)"
    # The binary lives in the invoking user's cache directory.
    runs_as_daemon_account = False

    # -- the binary --------------------------------------------------------------------
    def binary(self, ctx: StackContext) -> Path:
        """Where the Jaeger binary is, or will be once installed."""
        override = os.environ.get(ENV_VAR)
        return Path(override) if override else _installed_path(ctx.layout.repo_root / INSTALL_SCRIPT)

    def installed(self, ctx: StackContext) -> bool:
        binary = self.binary(ctx)
        return binary.is_file() and os.access(binary, os.X_OK)

    def unavailable_reason(self, ctx: StackContext) -> str | None:
        if self.installed(ctx):
            return None
        if os.environ.get(ENV_VAR):
            return f"${ENV_VAR} is {self.binary(ctx)}, which is not an executable file"
        if shutil.which("go") is None:
            return f"not built yet, and no Go toolchain to build it ({INSTALL_SCRIPT} needs `go`)"
        return None

    def install(self, ctx: StackContext) -> None:
        if self.installed(ctx):
            return
        log.info("jaeger: first use, building it with %s (a cold build takes minutes)", INSTALL_SCRIPT)
        script = ctx.layout.repo_root / INSTALL_SCRIPT
        last_lines: collections.deque[str] = collections.deque(maxlen=INSTALL_ERROR_LINES)
        with subprocess.Popen([str(script)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as build:
            assert build.stderr is not None
            for line in build.stderr:  # the script's progress, and the compiler's complaints
                log.info("%s", line.rstrip())
                last_lines.append(line.rstrip())
        if build.returncode != 0 or not self.installed(ctx):
            raise ServiceError(f"{INSTALL_SCRIPT} failed (exit code {build.returncode}):\n" + "\n".join(last_lines))

    # -- description -------------------------------------------------------------------
    def listen_ports(self, ctx: StackContext) -> list[int]:
        ports = ctx.ports
        return [ports.jaeger_query, ports.jaeger_query_grpc, ports.jaeger_otlp_grpc, ports.jaeger_otlp_http]

    def endpoint(self, ctx: StackContext) -> str:
        return query_url(ctx)

    def probes(self, ctx: StackContext) -> list[Probe]:
        # Extensions (the query API) start before receivers: OTLP answering means all is up.
        # OTLP/HTTP answers a GET with 405, which is an answer.
        return [HttpProbe(f"{query_url(ctx)}/api/services"),
                HttpProbe(f"{otlp_http_url(ctx)}/v1/traces", expected_status=None)]

    # -- lifecycle ---------------------------------------------------------------------
    def home(self, ctx: StackContext) -> Path:
        return ctx.layout.service_dir(self.name)

    def config_path(self, ctx: StackContext) -> Path:
        return self.home(ctx) / "config.yaml"

    def prepare(self, ctx: StackContext) -> None:
        ports = ctx.ports
        render_to(ctx.layout.stack_assets / "jaeger" / "config.native.yaml.template", {
            "QUERY_HTTP_LISTEN": f"127.0.0.1:{ports.jaeger_query}",
            "QUERY_GRPC_LISTEN": f"127.0.0.1:{ports.jaeger_query_grpc}",
            "OTLP_GRPC_LISTEN": f"127.0.0.1:{ports.jaeger_otlp_grpc}",
            "OTLP_HTTP_LISTEN": f"127.0.0.1:{ports.jaeger_otlp_http}",
        }, self.config_path(ctx))
        self.prepare_log(ctx)

    def working_dir(self, ctx: StackContext) -> Path:
        return self.home(ctx)

    def command(self, ctx: StackContext) -> list[str]:
        return [str(self.binary(ctx)), "--config", f"file:{self.config_path(ctx)}"]


@functools.cache
def _installed_path(script: Path) -> Path:
    # The script owns the version and the cache layout; ask it once per process.
    try:
        found = subprocess.run([str(script), "--path"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        raise ServiceError(f"{script} --path failed: {error}") from error
    return Path(found.stdout.strip())


def query_url(ctx: StackContext) -> str:
    """Jaeger's query API: what Grafana's Jaeger data source calls (/api/traces/<trace id>)."""
    return f"http://127.0.0.1:{ctx.ports.jaeger_query}"


def otlp_http_url(ctx: StackContext) -> str:
    """Base of the OTLP/HTTP receiver (OTEL_EXPORTER_OTLP_ENDPOINT; exporters append /v1/traces)."""
    return f"http://127.0.0.1:{ctx.ports.jaeger_otlp_http}"
