"""The record store's processes (stack/store, package `recordstore`): API, worker, payment gateway."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from lab.stack.health import HttpProbe, Probe
from lab.stack.services.base import Service, StackContext
from lab.stack.services.jaeger import Jaeger, otlp_http_url
from lab.stack.services.postgres import database_url
from lab.stack.services.rabbitmq import broker_url

PACKAGE = "recordstore"
STORE_SETTING_PREFIX = "RECORDSTORE_"  # the store reads its settings from these environment variables
# Dependencies the processes import first; a missing one means the store's
# requirements are not installed (scripts/bootstrap installs them).
REQUIRED_MODULES = ("fastapi", "uvicorn", "celery", "psycopg", "prometheus_client")
# Threads of the Celery worker; capacity is about concurrency / 5.1 orders/s with the store's
# default task durations (measured: docs/stack.md "Capacity").
DEFAULT_WORKER_CONCURRENCY = 8


class StoreProcess(Service):
    runs_as_daemon_account = False
    startup_timeout = 45.0
    module = ""

    def unavailable_reason(self, ctx: StackContext) -> str | None:
        module_file = ctx.layout.store_dir / PACKAGE / f"{self.module}.py"
        if not module_file.is_file():
            return f"store not available: {module_file.relative_to(ctx.layout.repo_root)} does not exist yet"
        missing = [name for name in REQUIRED_MODULES if importlib.util.find_spec(name) is None]
        if missing:
            return (f"store dependencies missing in {ctx.python}: {', '.join(missing)} "
                    f"(pip install -r stack/store/requirements.txt)")
        return None

    def environment(self, ctx: StackContext) -> dict[str, str]:
        env = ctx.base_env()
        env.update(store_environment(ctx))
        env.update(self.trace_destination(ctx))
        env.update(ctx.store_env)
        return env

    def trace_destination(self, ctx: StackContext) -> dict[str, str]:
        """Spans go to the stack's Jaeger over OTLP/HTTP; where Jaeger cannot run (no binary and
        no Go toolchain to build it), to a JSON-lines file per process under <state-dir>/traces/."""
        if Jaeger().installed(ctx):
            return {"OTEL_EXPORTER_OTLP_ENDPOINT": otlp_http_url(ctx)}
        return {"RECORDSTORE_TRACE_FILE": str(ctx.layout.trace_dir / f"{self.name}.jsonl")}

    def working_dir(self, ctx: StackContext) -> Path:
        return ctx.layout.store_dir

    def prepare(self, ctx: StackContext) -> None:
        ctx.layout.trace_dir.mkdir(parents=True, exist_ok=True)
        self.prepare_log(ctx)


def store_environment(ctx: StackContext) -> dict[str, str]:
    """The contract's store variables, pointing at this stack's ports."""
    existing = os.environ.get("PYTHONPATH")
    store = str(ctx.layout.store_dir)
    return {
        "PYTHONPATH": store if not existing else f"{store}{os.pathsep}{existing}",
        "PYTHONUNBUFFERED": "1",
        "RECORDSTORE_DATABASE_URL": database_url(ctx.ports.postgres),
        "RECORDSTORE_BROKER_URL": broker_url(ctx.ports.rabbitmq),
        "RECORDSTORE_PAYMENT_URL": f"http://127.0.0.1:{ctx.ports.payment_gateway}",
        "RECORDSTORE_WORKER_METRICS_PORT": str(ctx.ports.worker_metrics),
        "RECORDSTORE_WORKER_CONCURRENCY": str(ctx.worker_concurrency),
        # Fault injection (/admin/faults) is off in the store by default; the native stack listens on
        # loopback only and its drills (`obsgen drill`) inject faults, so it turns it on.
        "RECORDSTORE_ADMIN_ENABLED": "1",
    }


class Api(StoreProcess):
    name = "api"
    summary = "record store API (FastAPI)"
    module = "api"

    def listen_ports(self, ctx: StackContext) -> list[int]:
        return [ctx.ports.api]

    def endpoint(self, ctx: StackContext) -> str:
        return f"http://127.0.0.1:{ctx.ports.api}"

    def probes(self, ctx: StackContext) -> list[Probe]:
        return [HttpProbe(f"http://127.0.0.1:{ctx.ports.api}/health")]

    def command(self, ctx: StackContext) -> list[str]:
        return [ctx.python, "-m", "uvicorn", f"{PACKAGE}.api:app",
                "--host", "127.0.0.1", "--port", str(ctx.ports.api)]


class Worker(StoreProcess):
    name = "worker"
    summary = "record store worker (Celery)"
    module = "worker"
    # A warm shutdown lets running tasks finish (order processing takes seconds).
    stop_timeout = 30.0

    def listen_ports(self, ctx: StackContext) -> list[int]:
        return [ctx.ports.worker_metrics]

    def endpoint(self, ctx: StackContext) -> str:
        return f"http://127.0.0.1:{ctx.ports.worker_metrics}/metrics"

    def probes(self, ctx: StackContext) -> list[Probe]:
        return [HttpProbe(f"http://127.0.0.1:{ctx.ports.worker_metrics}/metrics")]

    def command(self, ctx: StackContext) -> list[str]:
        return [ctx.python, "-m", f"{PACKAGE}.worker"]


class PaymentGateway(StoreProcess):
    name = "payment-gateway"
    summary = "simulated payment provider"
    module = "payment_gateway"

    def listen_ports(self, ctx: StackContext) -> list[int]:
        return [ctx.ports.payment_gateway]

    def endpoint(self, ctx: StackContext) -> str:
        return f"http://127.0.0.1:{ctx.ports.payment_gateway}"

    def probes(self, ctx: StackContext) -> list[Probe]:
        return [HttpProbe(f"http://127.0.0.1:{ctx.ports.payment_gateway}/health")]

    def command(self, ctx: StackContext) -> list[str]:
        return [ctx.python, "-m", "uvicorn", f"{PACKAGE}.payment_gateway:app",
                "--host", "127.0.0.1", "--port", str(ctx.ports.payment_gateway)]
