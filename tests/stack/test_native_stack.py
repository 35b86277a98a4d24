"""The native stack for real: every process started, probed and stopped by these tests.

Ports are picked free below the ephemeral range and state lives in throwaway directories,
so a developer's stack on the contract ports is never touched.
"""

from __future__ import annotations

import http.client
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from lab.stack import Stack, StackError, process
from lab.stack.health import http_get
from lab.stack.ports import Ports
from lab.stack.services import SERVICES
from lab.stack.services.postgres import database_url
from tests.stack.conftest import ROOT, free_ports, make_state_dir

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CONTRACT_JOBS = {"api", "worker", "payment-gateway", "postgres", "rabbitmq", "prometheus", "alertmanager"}
# Debian-packaged daemons that need nothing from the invoking user (Prometheus and Alertmanager
# read the checkout's generated/ and run as the invoking user, like the store's processes).
DAEMONS = ["postgres", "epmd", "rabbitmq", "nginx", "postgres-exporter"]
FAST_STORE = {"RECORDSTORE_ORDER_PROCESSING_SECONDS": "0.2", "RECORDSTORE_EMAIL_SECONDS": "0.1",
              "RECORDSTORE_CLEANUP_SECONDS": "0.05"}
CORRELATION_ID = "stack-test-7f3a9c"


def obsgen_stack(state_dir: Path, *arguments: str) -> subprocess.CompletedProcess:
    # Wide enough that the status table keeps one line per service (wrapping has tests of its own).
    return subprocess.run([sys.executable, "-m", "obsgen", "stack", "--state-dir", str(state_dir), *arguments],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, check=False,
                          env={**os.environ, "COLUMNS": "400"})


def port_args(ports: Ports) -> list[str]:
    return [argument for name, port in ports.as_dict().items() for argument in ("--port", f"{name}={port}")]


def eventually(check, timeout: float, interval: float = 0.5):
    """Poll check() until it returns a truthy value; return the last value either way."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def get_json(url: str) -> dict:
    status, body = http_get(url)
    assert status == 200, f"{url}: HTTP {status} {body[:200]!r}"
    return json.loads(body)


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def expected_daemon_uid() -> int:
    return pwd.getpwnam("obsgen").pw_uid if os.geteuid() == 0 else os.geteuid()


@pytest.fixture(scope="module")
def full_stack():
    state_dir = make_state_dir("obsgen-full-")
    stack = Stack(state_dir, ports=free_ports(), scrape_seconds=5, store_env=FAST_STORE)
    try:
        stack.up()
        yield stack
    finally:
        stack.down()
        shutil.rmtree(state_dir, ignore_errors=True)


def test_every_service_is_up_and_ready(full_stack: Stack) -> None:
    for status in full_stack.status():
        assert (status.name, status.state, status.detail) == (status.name, "up", ""), status


def test_second_up_is_idempotent(full_stack: Stack) -> None:
    before = {name: full_stack.record(name) for name in SERVICES}
    full_stack.up()
    # A fresh object reading the same state dir, as the CLI does.
    Stack(full_stack.layout.state_dir).up()
    assert {name: full_stack.record(name) for name in SERVICES} == before


def test_daemons_run_unprivileged(full_stack: Stack) -> None:
    for name in DAEMONS:
        record = full_stack.record(name)
        assert process.process_owner_uid(record.pid) == expected_daemon_uid(), name
    postmaster = full_stack.record("postgres")
    backends = process.descendants(postmaster.pid)
    assert backends, "the postmaster's background processes"
    assert {process.process_owner_uid(record.pid) for record in backends} == {expected_daemon_uid()}


def test_database_accepts_the_contract_credentials(full_stack: Stack) -> None:
    with psycopg.connect(database_url(full_stack.ports.postgres), connect_timeout=5) as connection:
        user, monitor = connection.execute(
            "SELECT current_user, pg_has_role(current_user, 'pg_monitor', 'member')").fetchone()
    assert (user, monitor) == ("recordstore", True)


def test_rabbitmq_serves_prometheus_metrics(full_stack: Stack) -> None:
    base = f"http://127.0.0.1:{full_stack.ports.rabbitmq_prometheus}"
    status, body = http_get(f"{base}/metrics")
    assert status == 200
    assert [line for line in body.decode().splitlines() if line.startswith("rabbitmq_")]

    def orders_queue_series() -> list[str]:
        _, per_object = http_get(f"{base}/metrics/per-object")
        return re.findall(r'^rabbitmq_queue_messages_ready\{[^}]*queue="orders"[^}]*\}', per_object.decode(),
                          flags=re.MULTILINE)

    assert eventually(orders_queue_series, timeout=30), "the worker declares the orders queue"


def test_prometheus_scrapes_every_contract_job(full_stack: Stack) -> None:
    url = f"http://127.0.0.1:{full_stack.ports.prometheus}/api/v1/targets"

    def health() -> dict[str, str]:
        return {target["labels"]["job"]: f"{target['health']} {target['lastError']}".strip()
                for target in get_json(url)["data"]["activeTargets"]}

    eventually(lambda: set(health().values()) == {"up"}, timeout=90)
    assert health() == {job: "up" for job in CONTRACT_JOBS}


def test_prometheus_loaded_the_generated_rule_files(full_stack: Stack) -> None:
    on_disk = sorted(str(path) for path in (ROOT / "generated").glob("*/prometheus/*.rules.yaml"))
    if not on_disk:
        pytest.skip("obsgen build has not written generated/*/prometheus/*.rules.yaml yet")
    groups = get_json(f"http://127.0.0.1:{full_stack.ports.prometheus}/api/v1/rules")["data"]["groups"]
    assert sorted({group["file"] for group in groups}) == on_disk


def test_prometheus_sends_alerts_to_the_stacks_alertmanager(full_stack: Stack) -> None:
    url = f"http://127.0.0.1:{full_stack.ports.prometheus}/api/v1/alertmanagers"
    active = eventually(lambda: get_json(url)["data"]["activeAlertmanagers"], timeout=30)
    assert [entry["url"] for entry in active] == [f"http://127.0.0.1:{full_stack.ports.alertmanager}/api/v2/alerts"]


def gateway_request(stack: Stack, method: str, path: str, headers: dict[str, str] | None = None,
                    body: dict | None = None) -> tuple[int, list[tuple[str, str]], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", stack.ports.gateway, timeout=10)
    payload = None if body is None else json.dumps(body)
    all_headers = dict(headers or {}, **({"Content-Type": "application/json"} if body is not None else {}))
    connection.request(method, path, body=payload, headers=all_headers)
    response = connection.getresponse()
    result = response.status, response.getheaders(), response.read()
    connection.close()
    return result


def correlation_headers(headers: list[tuple[str, str]]) -> list[str]:
    return [value for name, value in headers if name.lower() == "x-correlation-id"]


def test_gateway_keeps_or_mints_one_correlation_id(full_stack: Stack) -> None:
    status, headers, _ = gateway_request(full_stack, "GET", "/products", {"X-Correlation-ID": CORRELATION_ID})
    assert (status, correlation_headers(headers)) == (200, [CORRELATION_ID])
    status, headers, _ = gateway_request(full_stack, "GET", "/products")
    minted = correlation_headers(headers)
    assert status == 200 and len(minted) == 1 and re.fullmatch(r"[0-9a-f]{32}", minted[0])
    # nginx writes the access-log line after the response is sent: wait for it, bounded.
    wanted = {CORRELATION_ID, minted[0]}
    deadline = time.monotonic() + 10
    while not wanted <= set(logged := access_log_ids(full_stack)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert wanted <= set(logged), logged


def access_log_ids(stack: Stack) -> list[str]:
    lines = stack.layout.log_file("nginx-access").read_text().splitlines()
    return [json.loads(line)["correlation_id"] for line in lines if line.strip()]


def test_checkout_through_the_gateway_is_processed_by_the_worker(full_stack: Stack) -> None:
    correlation_id = "stack-checkout-5d1e"
    status, _, body = gateway_request(full_stack, "POST", "/checkout", {"X-Correlation-ID": correlation_id},
                                            {"product_id": 1, "quantity": 1})
    assert status == 202, body
    order_id = json.loads(body)["order_id"]

    def order_status() -> str:
        _, _, order = gateway_request(full_stack, "GET", f"/orders/{order_id}")
        return json.loads(order)["status"]

    eventually(lambda: order_status() == "completed", timeout=60)
    assert order_status() == "completed"
    assert correlation_id in full_stack.log_path("worker").read_text()


def test_one_dependency_can_be_stopped_and_started(full_stack: Stack) -> None:
    port = full_stack.ports.postgres
    assert full_stack.stop_service("postgres") is True
    assert not full_stack.is_running("postgres") and not listening(port)
    assert full_stack.stop_service("postgres") is False, "stopping a stopped service is a no-op"
    status = full_stack.start_service("postgres")
    assert (status.state, status.detail) == ("up", "")
    with psycopg.connect(database_url(port), connect_timeout=5) as connection:
        assert connection.execute("SELECT count(*) FROM products").fetchone()[0] > 0, "data survives a restart"


def test_a_killed_worker_comes_back(full_stack: Stack) -> None:
    killed = full_stack.record("worker")
    assert full_stack.stop_service("worker", force=True) is True
    assert not process.is_alive(killed) and not listening(full_stack.ports.worker_metrics)
    assert full_stack.start_service("worker").state == "up"
    assert full_stack.record("worker").pid != killed.pid


def test_cli_restart_replaces_the_process(full_stack: Stack) -> None:
    before = full_stack.record("payment-gateway")
    result = obsgen_stack(full_stack.layout.state_dir, "restart", "payment-gateway")
    assert result.returncode == 0, result.stderr
    after = full_stack.record("payment-gateway")
    assert after is not None and after != before and not process.is_alive(before)
    assert re.search(rf"payment-gateway\s+up\s+{after.pid}\b", result.stdout)


def test_cli_status_and_logs_read_the_running_stack(full_stack: Stack) -> None:
    state_dir = full_stack.layout.state_dir
    result = obsgen_stack(state_dir, "status")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"state directory: {state_dir} (logs in {state_dir / 'logs'})"
    header = next(index for index, line in enumerate(lines) if line.startswith("SERVICE"))
    # One row per service under the header and its rule (a wrapped cell continues on an indented line).
    rows = {line.split()[0]: line.split()[1] for line in lines[header + 1:] if line[:1].strip()
            and line.split()[0] in SERVICES}
    assert rows == {name: "up" for name in SERVICES}
    assert "Grafana is not installable on this machine" in result.stdout
    logs = obsgen_stack(state_dir, "logs", "postgres", "-n", "3")
    assert logs.returncode == 0 and len(logs.stdout.splitlines()) == 3


def test_cli_psql_counts_orders_in_the_stacks_database(full_stack: Stack) -> None:
    result = obsgen_stack(full_stack.layout.state_dir, "psql", "-tAc", "SELECT count(*) FROM products")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "13"  # the seed catalogue (stack/store/schema.sql)


def test_down_leaves_no_process_behind(full_stack: Stack) -> None:
    state_dir = full_stack.layout.state_dir
    records = {name: full_stack.record(name) for name in SERVICES}
    descendants = [child for record in records.values() for child in process.descendants(record.pid)]
    marked = list(filter(None, map(process.record_for, process.processes_with_marker(state_dir))))
    assert len(descendants) > len(SERVICES), "postgres backends, nginx workers, the Erlang VM..."
    assert set(full_stack.down()) == set(SERVICES)
    assert not [name for name, record in records.items() if process.is_alive(record)]
    assert not [record for record in descendants + marked if process.is_alive(record)]
    assert process.processes_with_marker(state_dir) == []
    open_ports = [name for name, port in full_stack.ports.as_dict().items() if listening(port)]
    assert open_ports == []
    assert full_stack.down() == [], "a second down has nothing to stop"


def test_cli_subset_up_is_idempotent_and_down_stops_it(state_dir: Path) -> None:
    ports = free_ports()
    try:
        first = obsgen_stack(state_dir, "up", "--only", "postgres,rabbitmq", *port_args(ports))
        assert first.returncode == 0, first.stderr
        started = {name: process.read_record(state_dir / "run" / f"{name}.pid") for name in
                   ("postgres", "epmd", "rabbitmq")}
        assert all(record and process.is_alive(record) for record in started.values())
        assert not (state_dir / "run" / "api.pid").exists(), "--only starts nothing else"

        second = obsgen_stack(state_dir, "up", "--only", "postgres,rabbitmq")
        assert second.returncode == 0, second.stderr
        assert {name: process.read_record(state_dir / "run" / f"{name}.pid") for name in started} == started

        down = obsgen_stack(state_dir, "down")
        assert down.returncode == 0, down.stderr
        assert set(down.stdout.strip().removeprefix("stopped: ").split(", ")) == set(started)
        assert process.processes_with_marker(state_dir) == []
    finally:
        Stack(state_dir).down()


def test_a_service_that_dies_is_reported_with_its_log(state_dir: Path, tmp_path: Path) -> None:
    generated = tmp_path / "generated"
    config = generated / "_fleet" / "alertmanager" / "alertmanager.yaml"
    config.parent.mkdir(parents=True)
    config.write_text("route: {receiver: nobody}\nreceivers: []\n")  # undefined receiver
    stack = Stack(state_dir, ports=free_ports(), generated_dir=generated)
    try:
        with pytest.raises(StackError) as failure:
            stack.up(["alertmanager"])
        message = str(failure.value)
        assert message.startswith("alertmanager exited")
        assert str(stack.log_path("alertmanager")) in message
        assert "nobody" in message, "the log tail says what is wrong"
    finally:
        stack.down()


def test_a_port_taken_by_someone_else_is_reported(state_dir: Path) -> None:
    stack = Stack(state_dir, ports=free_ports())
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", stack.ports.prometheus))
        squatter.listen()
        with pytest.raises(StackError, match=f"prometheus: port {stack.ports.prometheus} is already in use"):
            stack.up(["prometheus"])
    assert not stack.is_running("prometheus")


def test_reload_loads_new_generated_output(state_dir: Path, tmp_path: Path) -> None:
    generated = tmp_path / "generated"
    generated.mkdir()
    stack = Stack(state_dir, ports=free_ports(), generated_dir=generated)
    rules_url = f"http://127.0.0.1:{stack.ports.prometheus}/api/v1/rules"
    try:
        stack.up(["prometheus", "alertmanager"])
        assert get_json(rules_url)["data"]["groups"] == []
        fallback_pid = stack.record("alertmanager").pid

        rule_file = generated / "checkout" / "prometheus" / "slo.rules.yaml"
        rule_file.parent.mkdir(parents=True)
        rule_file.write_text("groups:\n  - name: checkout-slo\n    rules:\n"
                             "      - record: job:up:sum\n        expr: sum by (job) (up)\n")
        config = generated / "_fleet" / "alertmanager" / "alertmanager.yaml"
        config.parent.mkdir(parents=True)
        config.write_text("route: {receiver: team}\nreceivers: [{name: team}]\n")

        actions = stack.reload()
        assert actions == ["prometheus: reloaded", "alertmanager: restarted with the generated config"]
        assert [group["name"] for group in get_json(rules_url)["data"]["groups"]] == ["checkout-slo"]
        alertmanager = stack.record("alertmanager")
        assert alertmanager.pid != fallback_pid
        cmdline = Path(f"/proc/{alertmanager.pid}/cmdline").read_bytes().split(b"\0")
        assert f"--config.file={config}".encode() in cmdline
    finally:
        stack.down()


def test_obsgen_build_into_the_stacks_generated_dir_reloads_prometheus(state_dir: Path, tmp_path: Path) -> None:
    """A project directory: `obsgen stack up` and `obsgen build` run from it share ./generated, and the
    build reloads the running Prometheus (no `obsgen stack reload` needed)."""
    project = tmp_path / "project"
    project.mkdir()
    env = {**os.environ, "OBSGEN_STACK_DIR": str(state_dir), "PYTHONPATH": str(ROOT)}
    stack = Stack(state_dir, ports=free_ports(), generated_dir=project / "generated")
    rules_url = f"http://127.0.0.1:{stack.ports.prometheus}/api/v1/rules"
    try:
        stack.up(["prometheus"])
        assert get_json(rules_url)["data"]["groups"] == []
        build = subprocess.run([sys.executable, "-m", "obsgen", "build", str(ROOT / "specs" / "purchase.yaml"),
                                "--no-validate"], cwd=project, env=env, capture_output=True, text=True,
                               timeout=300, check=False)
        assert build.returncode == 0, build.stderr
        assert "native stack: prometheus: reloaded" in build.stdout
        groups = {group["file"] for group in get_json(rules_url)["data"]["groups"]}
        assert any(str(project / "generated" / "purchase") in path for path in groups), groups
    finally:
        stack.down()
