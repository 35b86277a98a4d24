"""Runner building blocks with real processes (sleep, sh) but without the stack's daemons."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from lab.stack import CONTRACT_PORTS, Stack, StackError, process
from lab.stack.logs import follow
from lab.stack.ports import parse_port_overrides
from lab.stack.report import status_table
from lab.stack.runner import start_levels
from lab.stack.services import REQUIRES, SERVICES, START_AFTER


def spawn(state_dir: Path, *command: str) -> process.ProcessRecord:
    env = dict(os.environ, **{process.MARKER_ENV: str(state_dir)})
    popen = process.spawn(list(command), env=env, log_path=state_dir / "test.log", cwd=state_dir)
    record = process.record_for(popen.pid)
    assert record is not None
    return record


def test_port_overrides_accept_dashes_and_reject_unknown_names() -> None:
    ports = CONTRACT_PORTS.with_overrides(parse_port_overrides(["payment-gateway=18002", "postgres=56432"]))
    assert (ports.payment_gateway, ports.postgres, ports.api) == (18002, 56432, CONTRACT_PORTS.api)
    assert ports.rabbitmq_dist == ports.rabbitmq + 20000
    with pytest.raises(ValueError, match="grafana"):
        CONTRACT_PORTS.with_overrides({"grafana": 1})
    with pytest.raises(ValueError, match="NAME=PORT"):
        parse_port_overrides(["postgres"])


def test_start_levels_put_every_dependency_first() -> None:
    levels = start_levels(list(SERVICES))
    level_of = {name: index for index, level in enumerate(levels) for name in level}
    assert set(level_of) == set(SERVICES)
    for name, dependencies in START_AFTER.items():
        for dependency in dependencies:
            assert level_of[dependency] < level_of[name], (dependency, name)


def test_selection_adds_requirements_and_rejects_unknown_services(state_dir: Path) -> None:
    stack = Stack(state_dir)
    assert stack._select(["rabbitmq"], with_requirements=True) == ["epmd", "rabbitmq"]
    assert all(requirement in SERVICES for required in REQUIRES.values() for requirement in required)
    with pytest.raises(StackError, match="compose"):
        stack._select(["grafana"], with_requirements=True)
    with pytest.raises(StackError, match="unknown service 'nope'"):
        stack._select(["nope"], with_requirements=True)


def test_settings_persist_between_stack_objects(state_dir: Path) -> None:
    first = Stack(state_dir, ports={"postgres": 56999}, scrape_seconds=5)
    first._save_settings()
    again = Stack(state_dir)
    assert (again.ports.postgres, again.scrape_seconds) == (56999, 5)


def test_the_store_settings_of_up_are_kept_for_a_later_restart(state_dir: Path) -> None:
    """A drill restarts the worker from a new Stack object: it must run the store as `up` did."""
    fast = {"RECORDSTORE_ORDER_PROCESSING_SECONDS": "0.3"}
    Stack(state_dir, store_env=fast)._save_settings()
    assert Stack(state_dir).store_env == fast
    assert Stack(state_dir).context().store_env == fast


@pytest.mark.integration
def test_liveness_follows_the_process_not_just_the_pid(state_dir: Path) -> None:
    record = spawn(state_dir, "sleep", "30")
    assert process.is_alive(record)
    reused = process.ProcessRecord(pid=record.pid, start_ticks=record.start_ticks + 1)
    assert not process.is_alive(reused), "a pid with another start time is another process"
    # Between fork and exec the child still shows its parent's environment, without the marker.
    deadline = time.monotonic() + 5
    while process.processes_with_marker(state_dir) != [record.pid] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.processes_with_marker(state_dir) == [record.pid]
    assert process.terminate(record, timeout=5) is False
    assert not process.is_alive(record)
    assert process.processes_with_marker(state_dir) == []


@pytest.mark.integration
def test_terminate_escalates_to_sigkill(state_dir: Path) -> None:
    record = spawn(state_dir, sys.executable, "-c",
                   "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(60)")
    deadline = time.monotonic() + 10
    while "ready" not in (state_dir / "test.log").read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.terminate(record, timeout=0.5) is True
    assert not process.is_alive(record)


@pytest.mark.integration
def test_terminate_kills_the_whole_process_group(state_dir: Path) -> None:
    record = spawn(state_dir, "sh", "-c", "sleep 30 & sleep 30 & wait")
    deadline = time.monotonic() + 5
    while len(process.group_members(record.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(process.group_members(record.pid)) == 3
    process.terminate(record, timeout=5)
    assert process.group_members(record.pid) == []


def test_pid_records_round_trip(state_dir: Path) -> None:
    path = state_dir / "run" / "x.pid"
    record = process.ProcessRecord(pid=123, start_ticks=456)
    process.write_record(path, record)
    assert process.read_record(path) == record
    path.write_text("garbage")
    assert process.read_record(path) is None


@pytest.mark.integration
def test_status_of_a_fresh_state_dir_is_all_down_and_names_compose_only_services(state_dir: Path) -> None:
    stack = Stack(state_dir)
    statuses = stack.status()
    assert [status.name for status in statuses] == list(SERVICES)
    assert {status.state for status in statuses} <= {"down", "unavailable"}
    table = status_table(statuses, stack.compose_only())
    assert "Grafana is not installable on this machine" in table
    assert "docker-compose.yml" in table
    assert "jaeger" in {status.name for status in statuses} and "jaeger" not in stack.compose_only()


def test_follow_prints_appended_lines(tmp_path: Path) -> None:
    log = tmp_path / "service.log"
    log.write_text("old 1\nold 2\n")
    written: list[str] = []

    def append_later() -> None:
        time.sleep(0.3)
        with open(log, "a") as handle:
            handle.write("new line\n")

    writer = threading.Thread(target=append_later)
    writer.start()
    deadline = time.monotonic() + 10
    follow(log, written.append, lines=1,
           keep_going=lambda: "new line" not in "".join(written) and time.monotonic() < deadline)
    writer.join()
    assert "".join(written) == "old 2\nnew line\n"
