"""Detached service processes: spawn, pid records, liveness, termination.

Every process the stack starts gets the environment marker `OBSGEN_STACK_MEMBER=<state dir>`,
so whatever it forks (postgres backends, nginx workers) can be found again by
`processes_with_marker`, even when it escaped its process group. (Deliberately not the
user-facing OBSGEN_STACK_DIR, which a user's shell may export.)
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from lab.stack import logpump
from lab.stack.accounts import Account
from lab.stack.logpump import LOG_BACKUPS, LOG_MAX_BYTES

MARKER_ENV = "OBSGEN_STACK_MEMBER"
LOG_PUMP = Path(logpump.__file__)

# Popen objects of children started by this Python process; kept so they can be reaped
# (a killed child stays a zombie until its parent waits for it).
_children: dict[int, subprocess.Popen] = {}


@dataclasses.dataclass(frozen=True)
class ProcessRecord:
    pid: int
    # Kernel start time of the process (clock ticks since boot); a reused pid has another.
    start_ticks: int

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name is parenthesised and may contain spaces; fields start after the last ')'.
    return raw[raw.rindex(")") + 2:].split()


def start_ticks(pid: int) -> int | None:
    """Start time of a live (not zombie) process, None when there is none."""
    fields = _stat_fields(pid)
    if fields is None or fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def record_for(pid: int) -> ProcessRecord | None:
    ticks = start_ticks(pid)
    return None if ticks is None else ProcessRecord(pid=pid, start_ticks=ticks)


def is_alive(record: ProcessRecord) -> bool:
    return start_ticks(record.pid) == record.start_ticks


def process_owner_uid(pid: int) -> int | None:
    try:
        return Path(f"/proc/{pid}").stat().st_uid
    except FileNotFoundError:
        return None


def write_record(path: Path, record: ProcessRecord) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(record.to_json() + "\n")
    temporary.replace(path)


def read_record(path: Path) -> ProcessRecord | None:
    try:
        data = json.loads(path.read_text())
        return ProcessRecord(pid=int(data["pid"]), start_ticks=int(data["start_ticks"]))
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


def spawn(command: Sequence[str], *, env: Mapping[str, str], log_path: Path, cwd: Path,
          account: Account | None = None, stdout_log_path: Path | None = None) -> subprocess.Popen:
    """Start a detached process (own session) whose stdout+stderr go to log_path (stdout to
    stdout_log_path instead, when given) through a size-rotating log pump (lab/stack/logpump.py)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    stderr_pipe = _start_log_pump(log_path, env)
    stdout_pipe = _start_log_pump(stdout_log_path, env) if stdout_log_path else stderr_pipe
    if account is not None and account.uid != os.geteuid():
        # A daemon may reopen its output by name (nginx's access_log /dev/stdout): the pipe must be its.
        for pipe in {stdout_pipe, stderr_pipe}:
            os.fchown(pipe, account.uid, account.gid)
    try:
        popen = subprocess.Popen(
            list(command), stdin=subprocess.DEVNULL, stdout=stdout_pipe, stderr=stderr_pipe,
            env=dict(env), cwd=str(cwd), start_new_session=True, **_identity_kwargs(account),
        )
    finally:
        # The service holds the write ends now; each pump ends when every holder has exited.
        for pipe in {stdout_pipe, stderr_pipe}:
            os.close(pipe)
    _children[popen.pid] = popen
    return popen


def _start_log_pump(log_path: Path, env: Mapping[str, str]) -> int:
    """Start a pump appending what is written to the returned pipe to log_path; returns the write end."""
    log_path.touch(exist_ok=True)  # there from the start, for readers that come before the first line
    read_end, write_end = os.pipe()
    try:
        pump = subprocess.Popen(
            [sys.executable, str(LOG_PUMP), str(log_path), str(LOG_MAX_BYTES), str(LOG_BACKUPS)],
            stdin=read_end, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            # Its own session: stopping the service's process group must not cut off its last lines.
            # No stack marker: `down` must not kill it before it has written them; it ends by itself
            # once `down` has stopped every process holding the pipe.
            env={key: value for key, value in os.environ.items() if key != MARKER_ENV}, start_new_session=True,
        )
    except OSError:
        os.close(write_end)
        raise
    finally:
        os.close(read_end)
    _children[pump.pid] = pump
    return write_end


def run(command: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None,
        account: Account | None = None, timeout: float = 60.0) -> subprocess.CompletedProcess:
    """Run a short helper command (initdb, psql, rabbitmqctl) to completion, capturing output."""
    return subprocess.run(
        list(command), env=None if env is None else dict(env), cwd=None if cwd is None else str(cwd),
        capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False,
        **_identity_kwargs(account),
    )


def _identity_kwargs(account: Account | None) -> dict:
    if account is None or account.uid == os.geteuid():
        return {}
    return {"user": account.uid, "group": account.gid, "extra_groups": []}


def exit_code(pid: int) -> int | None:
    """Exit code of a child of this process that has exited (None if running or not ours)."""
    popen = _children.get(pid)
    return None if popen is None else popen.poll()


def reap(pid: int) -> None:
    popen = _children.pop(pid, None)
    if popen is not None:
        try:
            popen.wait(timeout=1)
        except subprocess.TimeoutExpired:
            _children[pid] = popen


def group_members(pgid: int) -> list[int]:
    members = []
    for pid in _all_pids():
        fields = _stat_fields(pid)
        if fields is not None and fields[0] not in ("Z", "X") and int(fields[2]) == pgid:
            members.append(pid)
    return sorted(members)


def descendants(pid: int) -> list[ProcessRecord]:
    """Live descendants of pid, found through parent pids (they may have left its group)."""
    children: dict[int, list[int]] = {}
    for candidate in _all_pids():
        fields = _stat_fields(candidate)
        if fields is not None and fields[0] not in ("Z", "X"):
            children.setdefault(int(fields[1]), []).append(candidate)
    found, pending = [], list(children.get(pid, []))
    while pending:
        child = pending.pop()
        record = record_for(child)
        if record is not None:
            found.append(record)
        pending.extend(children.get(child, []))
    return sorted(found, key=lambda record: record.pid)


def processes_with_marker(state_dir: Path) -> list[int]:
    """Live processes whose environment says they belong to the stack in state_dir.

    Misses processes that rewrite their environment block for a process title (postgres
    backends); `descendants` finds those.
    """
    needle = f"{MARKER_ENV}={state_dir}".encode()
    ourselves = _ancestors(os.getpid())
    found = []
    for pid in _all_pids():
        if pid in ourselves or start_ticks(pid) is None:
            continue
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if needle in environ.split(b"\0"):
            found.append(pid)
    return sorted(found)


def _ancestors(pid: int) -> set[int]:
    chain = set()
    while pid > 0 and pid not in chain:
        chain.add(pid)
        fields = _stat_fields(pid)
        pid = int(fields[1]) if fields else 0
    return chain


def _all_pids() -> Iterator[int]:
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            yield int(entry.name)


def wait_until_dead(record: ProcessRecord, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reap_if_exited(record.pid)
        if not is_alive(record):
            return True
        time.sleep(0.1)
    return not is_alive(record)


def reap_if_exited(pid: int) -> None:
    if exit_code(pid) is not None:
        reap(pid)


def terminate(record: ProcessRecord, timeout: float = 15.0, first_signal: int = signal.SIGTERM) -> bool:
    """Signal the process group led by record.pid, escalate to SIGKILL after timeout.

    Returns True if the process needed SIGKILL.
    """
    killed = False
    if is_alive(record):
        _signal_group(record.pid, first_signal)
        if not wait_until_dead(record, timeout):
            _signal_group(record.pid, signal.SIGKILL)
            wait_until_dead(record, 5.0)
            killed = True
    # Stragglers that stayed in the group after the leader left (e.g. workers of a killed master).
    for pid in group_members(record.pid):
        _signal_pid(pid, signal.SIGKILL)
    reap(record.pid)
    return killed


def kill_pids(pids: Sequence[int], timeout: float = 5.0) -> None:
    for pid in pids:
        _signal_pid(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(start_ticks(pid) is not None for pid in pids):
        time.sleep(0.1)
    for pid in pids:
        if start_ticks(pid) is not None:
            _signal_pid(pid, signal.SIGKILL)
        reap(pid)


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        _signal_pid(pgid, signum)


def _signal_pid(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass
