"""Helpers that run the record store for real: PostgreSQL, RabbitMQ, API, worker, payment gateway.

Everything listens on free loopback ports and lives in a temporary directory,
so these tests never collide with a stack started by `obsgen stack up`.
PostgreSQL refuses to run as root, so it runs as the unprivileged user
`obsgen` (created when missing). Every process is stopped at session end.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
STORE_DIR = ROOT / "stack" / "store"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")
UNPRIVILEGED_USER = "obsgen"

# The store is not an installed package: make `recordstore` importable for unit tests.
if str(STORE_DIR) not in sys.path:
    sys.path.insert(0, str(STORE_DIR))
STARTUP_TIMEOUT = 60.0

# Short durations keep the journey under a few seconds in tests.
FAST_WORK = {
    "RECORDSTORE_ORDER_PROCESSING_SECONDS": "0.3",
    "RECORDSTORE_EMAIL_SECONDS": "0.2",
    "RECORDSTORE_CLEANUP_SECONDS": "0.05",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ProcessExited(RuntimeError):
    """A process being waited for died: waiting longer cannot help."""


def wait_until(predicate, timeout: float, what: str, interval: float = 0.1):
    """Poll until predicate() returns a truthy value; fail the test with `what` otherwise."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except ProcessExited:
            raise
        except Exception as exc:  # the thing polled is not up yet
            last_error = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last error: {last_error!r})")


def read_json_lines(path: Path) -> list[dict]:
    """JSON objects of a log or span file; non-JSON lines (interpreter noise) are skipped."""
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return records


def ensure_unprivileged_user(name: str = UNPRIVILEGED_USER) -> None:
    if subprocess.run(["id", "-u", name], capture_output=True).returncode == 0:
        return
    result = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        capture_output=True,
        text=True,
    )
    # 9: created concurrently by someone else (e.g. the stack runner).
    if result.returncode not in (0, 9):
        raise RuntimeError(f"useradd {name} failed: {result.stderr}")


def _as_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", UNPRIVILEGED_USER, "--", *argv]


@dataclass
class PostgresServer:
    base_dir: Path
    port: int = field(default_factory=free_port)

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def url(self) -> str:
        return f"postgresql://recordstore:recordstore@127.0.0.1:{self.port}/recordstore"

    def init(self) -> None:
        ensure_unprivileged_user()
        shutil.chown(self.base_dir, UNPRIVILEGED_USER)
        subprocess.run(
            _as_user([str(PG_BIN / "initdb"), "-D", str(self.data_dir), "-U", "postgres",
                      "--auth=trust", "--no-sync", "-E", "UTF8"]),
            check=True, capture_output=True,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.base_dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            _as_user([str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.base_dir / "postgres.log"),
                      "-o", options, "-w", "-t", "60", "start"]),
            check=True, capture_output=True,
        )

    def stop(self) -> None:
        subprocess.run(
            _as_user([str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"]),
            capture_output=True,
        )

    def create_store_database(self) -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute("CREATE ROLE recordstore LOGIN PASSWORD 'recordstore'")
            conn.execute("CREATE DATABASE recordstore OWNER recordstore")


@dataclass
class RabbitServer:
    base_dir: Path
    port: int = field(default_factory=free_port)
    dist_port: int = field(default_factory=free_port)
    epmd_port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def nodename(self) -> str:
        return f"recordstore-test-{self.port}@localhost"

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def env(self) -> dict[str, str]:
        # HOME holds the Erlang cookie shared by the server and rabbitmqctl;
        # a private epmd port keeps this node away from any other on the machine.
        return {
            **os.environ,
            "HOME": str(self.base_dir),
            "RABBITMQ_NODENAME": self.nodename,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "ERL_EPMD_PORT": str(self.epmd_port),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RABBITMQ_MNESIA_BASE": str(self.base_dir / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.base_dir / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base_dir / "enabled_plugins"),
            "RABBITMQ_PID_FILE": str(self.base_dir / "rabbitmq.pid"),
        }

    def start(self) -> None:
        (self.base_dir / "enabled_plugins").write_text("[].\n")
        log = open(self.base_dir / "rabbitmq-server.out", "ab")
        self.process = subprocess.Popen(
            [str(RABBITMQ_BIN / "rabbitmq-server")],
            env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_until(self._accepts_amqp, STARTUP_TIMEOUT, f"RabbitMQ on port {self.port}", interval=0.5)

    def _accepts_amqp(self) -> bool:
        from kombu import Connection

        if self.process is not None and self.process.poll() is not None:
            raise ProcessExited(f"rabbitmq-server exited with {self.process.returncode}")
        with Connection(self.url, connect_timeout=1) as conn:
            conn.connect()
        return True

    def ctl(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([str(RABBITMQ_BIN / "rabbitmqctl"), "-n", self.nodename, *args],
                              env=self.env(), capture_output=True, text=True, timeout=timeout)

    def queue_depth(self, queue: str) -> tuple[int, int]:
        """(ready, unacknowledged) messages of a queue."""
        out = self.ctl("list_queues", "-q", "--no-table-headers", "name", "messages_ready",
                       "messages_unacknowledged").stdout
        for line in out.splitlines():
            parts = line.split()
            if parts and parts[0] == queue:
                return int(parts[1]), int(parts[2])
        return 0, 0

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            self.ctl("stop", timeout=60)
            self.process.wait(timeout=30)
        except (subprocess.TimeoutExpired, OSError):
            _kill_group(self.process)
        finally:
            _kill_group(self.process)
            subprocess.run(["epmd", "-port", str(self.epmd_port), "-kill"], capture_output=True,
                           env={**os.environ, "ERL_EPMD_PORT": str(self.epmd_port)})
            self.process = None


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


@dataclass
class StoreProcess:
    """One of the store's Python processes, logging JSON lines to its own file."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    health_url: str
    process: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(self.argv, cwd=STORE_DIR, env=self.env, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(self._healthy, STARTUP_TIMEOUT, f"{self.name} at {self.health_url}", interval=0.2)

    def _healthy(self) -> bool:
        if self.process.poll() is not None:
            raise ProcessExited(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
        return httpx.get(self.health_url, timeout=2).status_code == 200

    def stop(self) -> None:
        """Graceful stop (SIGTERM), SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            self.process = None
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            _kill_group(self.process)
        self.process = None

    def kill(self) -> None:
        """SIGKILL: the crash a worker may suffer mid-task."""
        if self.process is not None:
            _kill_group(self.process)
            self.process = None

    def log_records(self) -> list[dict]:
        return read_json_lines(self.log_path)


@dataclass
class Stack:
    base_dir: Path
    postgres: PostgresServer
    rabbitmq: RabbitServer
    env: dict[str, str]
    api: StoreProcess
    payment: StoreProcess
    worker: StoreProcess
    trace_file: Path

    @property
    def api_url(self) -> str:
        return self.env["TEST_API_URL"]

    def spans(self) -> list[dict]:
        return read_json_lines(self.trace_file)

    def log_records(self, service: str) -> list[dict]:
        """JSON log lines of one service across every log file (workers may have been replaced)."""
        records = []
        for path in sorted(self.base_dir.glob("*.log")):
            records.extend(r for r in read_json_lines(path) if r.get("service") == service)
        return records

    def worker_process(self, name: str, extra_env: dict[str, str] | None = None) -> StoreProcess:
        """A worker definition (not started) sharing the stack's broker, DB and metrics port."""
        return StoreProcess(
            name=name,
            argv=[sys.executable, "-m", "recordstore.worker"],
            env={**self.env, **(extra_env or {})},
            log_path=self.base_dir / f"{name}.log",
            health_url=f"http://127.0.0.1:{self.env['RECORDSTORE_WORKER_METRICS_PORT']}/metrics",
        )

    def stop_all(self) -> None:
        # self.worker may have been swapped by a test: stop whichever runs now.
        for process in (self.worker, self.api, self.payment):
            process.stop()
        self.rabbitmq.stop()
        self.postgres.stop()


def _store_env(postgres: PostgresServer, rabbitmq: RabbitServer, base_dir: Path) -> dict[str, str]:
    api_port, payment_port, worker_metrics_port = free_port(), free_port(), free_port()
    inherited = {key: value for key, value in os.environ.items()
                 if not key.startswith(("RECORDSTORE_", "OTEL_"))}
    return {
        **inherited,
        **FAST_WORK,
        "PYTHONPATH": str(STORE_DIR),
        "PYTHONUNBUFFERED": "1",
        "RECORDSTORE_DATABASE_URL": postgres.url,
        "RECORDSTORE_BROKER_URL": rabbitmq.url,
        "RECORDSTORE_PAYMENT_URL": f"http://127.0.0.1:{payment_port}",
        "RECORDSTORE_TRACE_FILE": str(base_dir / "spans.jsonl"),
        "RECORDSTORE_WORKER_METRICS_PORT": str(worker_metrics_port),
        "RECORDSTORE_WORKER_CONCURRENCY": "4",
        "RECORDSTORE_ADMIN_ENABLED": "1",
        "RECORDSTORE_REQUEUE_AFTER_SECONDS": "3",
        # Export spans promptly so tests read them soon after the journey.
        "OTEL_BSP_SCHEDULE_DELAY": "200",
        "TEST_API_PORT": str(api_port),
        "TEST_PAYMENT_PORT": str(payment_port),
        "TEST_API_URL": f"http://127.0.0.1:{api_port}",
    }


def build_stack(base_dir: Path) -> Stack:
    """Choose ports and describe every process; nothing is started yet."""
    pg_dir, rabbit_dir = base_dir / "pg", base_dir / "rabbitmq"
    pg_dir.mkdir()
    rabbit_dir.mkdir()
    postgres, rabbitmq = PostgresServer(pg_dir), RabbitServer(rabbit_dir)
    env = _store_env(postgres, rabbitmq, base_dir)
    python = sys.executable
    payment = StoreProcess(
        "payment-gateway",
        [python, "-m", "uvicorn", "recordstore.payment_gateway:app", "--host", "127.0.0.1",
         "--port", env["TEST_PAYMENT_PORT"]],
        env, base_dir / "payment-gateway.log", f"{env['RECORDSTORE_PAYMENT_URL']}/health",
    )
    api = StoreProcess(
        "api",
        [python, "-m", "uvicorn", "recordstore.api:app", "--host", "127.0.0.1", "--port", env["TEST_API_PORT"]],
        env, base_dir / "api.log", f"{env['TEST_API_URL']}/health",
    )
    stack = Stack(base_dir, postgres, rabbitmq, env, api, payment, None, base_dir / "spans.jsonl")
    stack.worker = stack.worker_process("worker")
    return stack


def start_stack(stack: Stack) -> None:
    stack.postgres.init()
    stack.postgres.start()
    stack.postgres.create_store_database()
    stack.rabbitmq.start()
    for process in (stack.payment, stack.api, stack.worker):
        process.start()
    wait_until(lambda: httpx.get(f"{stack.api_url}/ready", timeout=5).status_code == 200,
               STARTUP_TIMEOUT, "API readiness")
