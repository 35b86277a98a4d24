"""The native stack: start, stop, inspect and reload its services under one state directory.

    from lab.stack import Stack
    stack = Stack("/tmp/my-stack", ports={"postgres": 56432})
    stack.up(["postgres", "rabbitmq"])
    stack.stop_service("postgres")      # failure drill
    stack.start_service("postgres")
    stack.down()
"""

from __future__ import annotations

import dataclasses
import json
import logging
import pwd
import shutil
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lab.stack import process
from lab.stack.accounts import AccountError, current_account, daemon_account
from lab.stack.health import first_errors, first_failure, http_get, port_in_use, tail
from lab.stack.layout import Layout
from lab.stack.ports import CONTRACT_PORTS, Ports
from lab.stack.process import ProcessRecord
from lab.stack.prometheus_config import PRODUCTION_SCRAPE_SECONDS
from lab.stack.services import (COMPOSE_ONLY, DEFAULT_WORKER_CONCURRENCY, REQUIRES, SERVICES, START_AFTER, Service,
                                StackContext)

log = logging.getLogger("lab.stack")
POLL_SECONDS = 0.2
LOG_TAIL_LINES = 25


class StackError(RuntimeError):
    pass


@dataclasses.dataclass(frozen=True)
class ServiceStatus:
    name: str
    summary: str
    state: str  # "up", "down" or "unavailable"
    pid: int | None
    user: str | None
    endpoint: str
    detail: str = ""


@dataclasses.dataclass
class _Launch:
    service: Service
    record: ProcessRecord
    deadline: float


class Stack:
    def __init__(self, state_dir: Path | str | None = None, *, ports: Ports | Mapping[str, int] | None = None,
                 scrape_seconds: int | None = None, repo_root: Path | str | None = None,
                 generated_dir: Path | str | None = None, store_env: Mapping[str, str] | None = None,
                 worker_concurrency: int | None = None):
        self.layout = Layout.create(state_dir, repo_root, generated_dir)
        saved = self._load_settings()
        if isinstance(ports, Ports):
            self.ports = ports
        elif ports is not None:
            self.ports = CONTRACT_PORTS.with_overrides(ports)
        elif saved:
            self.ports = Ports(**saved["ports"])
        else:
            self.ports = CONTRACT_PORTS
        self.scrape_seconds = scrape_seconds or (saved or {}).get("scrape_seconds") or PRODUCTION_SCRAPE_SECONDS
        self.worker_concurrency = (worker_concurrency or (saved or {}).get("worker_concurrency")
                                   or DEFAULT_WORKER_CONCURRENCY)
        # Kept for later commands like the ports: a drill's or `stack restart`'s new worker must run the store
        # as `up` did (the live CI stack's fast worker, not the default 3 s orders that cannot keep up).
        self.store_env = dict(store_env if store_env is not None else (saved or {}).get("store_env") or {})
        self._context: StackContext | None = None

    # -- names -------------------------------------------------------------------------
    @staticmethod
    def service_names() -> list[str]:
        return list(SERVICES)

    def _select(self, names: Iterable[str] | None, with_requirements: bool) -> list[str]:
        if names is None:
            return list(SERVICES)
        wanted = set()
        for name in names:
            if name not in SERVICES:
                hint = f" ({COMPOSE_ONLY[name]})" if name in COMPOSE_ONLY else ""
                raise StackError(f"unknown service {name!r}{hint}; services: {', '.join(SERVICES)}")
            wanted.add(name)
            if with_requirements:
                wanted.update(REQUIRES.get(name, ()))
        return [name for name in SERVICES if name in wanted]

    # -- context and settings ----------------------------------------------------------
    def context(self, create_account: bool = False) -> StackContext:
        """What services need to run; create_account=True creates the daemon user if missing."""
        # A context made without creating the user may have fallen back to root: redo it.
        if self._context is None or (create_account and self._context.daemon_account.uid == 0):
            try:
                account = daemon_account(create=create_account)
            except AccountError:
                # Nothing can have been started as a user that does not exist.
                account = current_account()
            self._context = StackContext(layout=self.layout, ports=self.ports, scrape_seconds=self.scrape_seconds,
                                         daemon_account=account, store_env=self.store_env,
                                         worker_concurrency=self.worker_concurrency)
        return self._context

    def _load_settings(self) -> dict | None:
        try:
            return json.loads(self.layout.settings_file.read_text())
        except (FileNotFoundError, ValueError):
            return None

    def _settings(self) -> dict:
        return {"ports": self.ports.as_dict(), "scrape_seconds": self.scrape_seconds,
                "worker_concurrency": self.worker_concurrency, "store_env": self.store_env}

    def _save_settings(self) -> None:
        saved = self._load_settings()
        # A settings file written before a setting existed has none: that one is not a conflict.
        changed = saved is not None and any(key in saved and saved[key] != value
                                            for key, value in self._settings().items())
        if changed and self.running_services():
            raise StackError(
                f"the stack in {self.layout.state_dir} is running with other settings ({saved}); "
                f"run `obsgen stack down` first, or leave out --port/--fast/--scrape-interval/--worker-concurrency"
            )
        self.layout.state_dir.mkdir(parents=True, exist_ok=True)
        self.layout.settings_file.write_text(json.dumps(self._settings(), indent=2, sort_keys=True) + "\n")

    # -- process records ---------------------------------------------------------------
    def record(self, name: str) -> ProcessRecord | None:
        """The live process of a service started by this stack, or None."""
        record = process.read_record(self.layout.pid_file(name))
        if record is None:
            return None
        process.reap_if_exited(record.pid)
        return record if process.is_alive(record) else None

    def is_running(self, name: str) -> bool:
        return self.record(name) is not None

    def running_services(self) -> list[str]:
        return [name for name in SERVICES if self.is_running(name)]

    def service(self, name: str) -> Service:
        self._select([name], with_requirements=False)
        return SERVICES[name]

    def endpoint(self, name: str) -> str:
        return self.service(name).endpoint(self.context())

    def log_path(self, name: str) -> Path:
        return self.service(name).log_path(self.context())

    # -- up ----------------------------------------------------------------------------
    def up(self, names: Iterable[str] | None = None) -> list[ServiceStatus]:
        """Start the selected services (all by default) and wait until each is ready.

        Already running services are left alone; services that cannot run on this machine
        (missing package, store not written yet) are reported, not fatal.
        """
        selection = self._select(names, with_requirements=True)
        self._save_settings()
        ctx = self.context(create_account=True)
        self.layout.run_dir.mkdir(parents=True, exist_ok=True)
        self.layout.log_dir.mkdir(parents=True, exist_ok=True)

        settled: set[str] = set()
        waiting = []
        for name in selection:
            if not self.is_running(name):
                self._install([name], ctx)
            reason = SERVICES[name].unavailable_reason(ctx)
            if self.is_running(name):
                settled.add(name)
            elif reason is not None:
                log.warning("%s: skipped, %s", name, reason)
                settled.add(name)
            else:
                waiting.append(name)
        self._start_when_ready(waiting, settled, set(selection), ctx)
        return self.status(selection)

    @staticmethod
    def _install(names: list[str], ctx: StackContext) -> None:
        """Install what the services run before starting any (availability depends on it, and a long
        first build must not run into the startup deadline of services already launched)."""
        for name in names:
            try:
                SERVICES[name].install(ctx)
            except Exception as error:
                raise StackError(f"{name}: could not install: {error}") from error

    def _start_when_ready(self, waiting: list[str], settled: set[str], selection: set[str],
                          ctx: StackContext) -> None:
        """Launch each service once its dependencies are ready; wait for all to be ready."""
        launched: dict[str, _Launch] = {}
        while waiting or launched:
            for name in list(waiting):
                if all(dependency in settled for dependency in START_AFTER[name] if dependency in selection):
                    launched[name] = self._launch(SERVICES[name], ctx)
                    waiting.remove(name)
            for name, launch in list(launched.items()):
                if self._became_ready(launch, ctx):
                    settled.add(name)
                    del launched[name]
            if waiting or launched:
                time.sleep(POLL_SECONDS)

    def _launch(self, service: Service, ctx: StackContext) -> _Launch:
        for port in service.listen_ports(ctx):
            if port_in_use(port):
                raise StackError(
                    f"{service.name}: port {port} is already in use by a process this stack did not start; "
                    f"stop it or give the stack other ports (--port NAME=PORT)"
                )
        self.layout.pid_file(service.name).unlink(missing_ok=True)
        try:
            service.prepare(ctx)
            record = service.launch(ctx)
        except Exception as error:
            raise StackError(self._failure_message(service, ctx, f"could not start: {error}")) from error
        process.write_record(self.layout.pid_file(service.name), record)
        log.info("%s: started (pid %d), waiting until ready", service.name, record.pid)
        return _Launch(service=service, record=record, deadline=time.monotonic() + service.startup_timeout)

    def _became_ready(self, launch: _Launch, ctx: StackContext) -> bool:
        service = launch.service
        failure = first_failure(service.probes(ctx))
        if failure is None:
            try:
                service.after_ready(ctx)
            except Exception as error:
                raise StackError(self._failure_message(service, ctx, f"setup failed: {error}")) from error
            log.info("%s: ready", service.name)
            return True
        process.reap_if_exited(launch.record.pid)
        if not process.is_alive(launch.record):
            code = process.exit_code(launch.record.pid)
            status = f" with exit code {code}" if code is not None else ""
            raise StackError(self._failure_message(service, ctx, f"exited{status} before it was ready ({failure})"))
        if time.monotonic() > launch.deadline:
            raise StackError(self._failure_message(
                service, ctx, f"not ready after {service.startup_timeout:.0f}s ({failure})"))
        return False

    def _failure_message(self, service: Service, ctx: StackContext, what: str) -> str:
        log_path = service.log_path(ctx)
        errors = first_errors(log_path)
        first = (f"--- first error lines of {log_path} ---\n" + "\n".join(errors) + "\n") if errors else ""
        return (f"{service.name} {what}\n{first}--- last {LOG_TAIL_LINES} lines of {log_path} ---\n"
                f"{tail(log_path, LOG_TAIL_LINES).rstrip()}\n---\n"
                f"services already started keep running; `obsgen stack down` stops them")

    # -- down --------------------------------------------------------------------------
    def down(self, names: Iterable[str] | None = None, purge: bool = False) -> list[str]:
        """Stop the selected services (all by default), in reverse start order.

        Returns the names of the services that were running and were stopped.
        """
        selection = self._select(names, with_requirements=False)
        ctx = self.context()
        tracked = self._tracked_processes() if names is None else []
        stopped = []
        # Dependents first; services on the same level stop concurrently (RabbitMQ alone
        # takes seconds to shut down).
        for level in reversed(start_levels(selection)):
            with ThreadPoolExecutor(max_workers=len(level)) as pool:
                results = list(pool.map(lambda name: self._stop(name, ctx, force=False), level))
            stopped += [name for name, was_running in zip(level, results) if was_running]
        if names is None:
            self._sweep_leftovers(tracked)
            if purge and self.layout.state_dir.exists():
                shutil.rmtree(self.layout.state_dir)
        return stopped

    def _stop(self, name: str, ctx: StackContext, force: bool) -> bool:
        record = self.record(name)
        pid_file = self.layout.pid_file(name)
        if record is None:
            pid_file.unlink(missing_ok=True)
            return False
        log.info("%s: stopping (pid %d)", name, record.pid)
        SERVICES[name].stop(ctx, record, force=force)
        if process.is_alive(record):
            raise StackError(f"{name} (pid {record.pid}) is still running after stop")
        pid_file.unlink(missing_ok=True)
        return True

    def _tracked_processes(self) -> list[ProcessRecord]:
        """Every process of this stack: services, their descendants, marked processes."""
        tracked = []
        for name in SERVICES:
            record = self.record(name)
            if record is not None:
                tracked += [record, *process.descendants(record.pid)]
        tracked += filter(None, map(process.record_for, process.processes_with_marker(self.layout.state_dir)))
        return tracked

    def _sweep_leftovers(self, tracked: list[ProcessRecord]) -> None:
        """Stop what outlived its service (children in other groups, a forked daemon)."""
        leftovers = {record.pid for record in tracked if process.is_alive(record)}
        leftovers |= set(process.processes_with_marker(self.layout.state_dir))
        if leftovers:
            log.warning("stopping %d leftover process(es) of this stack: %s", len(leftovers),
                        ", ".join(map(str, sorted(leftovers))))
            process.kill_pids(sorted(leftovers))

    # -- single services (failure drills) ------------------------------------------------
    def start_service(self, name: str) -> ServiceStatus:
        return {status.name: status for status in self.up([name])}[name]

    def stop_service(self, name: str, force: bool = False) -> bool:
        """Stop one service; force=True kills it (SIGKILL) like a crash would."""
        self._select([name], with_requirements=False)
        return self._stop(name, self.context(), force=force)

    def restart(self, name: str) -> ServiceStatus:
        self.stop_service(name)
        return self.start_service(name)

    # -- status ------------------------------------------------------------------------
    def status(self, names: Iterable[str] | None = None) -> list[ServiceStatus]:
        ctx = self.context()
        return [self._status_of(SERVICES[name], ctx) for name in self._select(names, with_requirements=False)]

    def _status_of(self, service: Service, ctx: StackContext) -> ServiceStatus:
        record = self.record(service.name)
        endpoint = service.endpoint(ctx)
        if record is None:
            reason = service.unavailable_reason(ctx)
            if reason is not None:
                return ServiceStatus(service.name, service.summary, "unavailable", None, None, endpoint, reason)
            return ServiceStatus(service.name, service.summary, "down", None, None, endpoint)
        failure = first_failure(service.probes(ctx))
        return ServiceStatus(service.name, service.summary, "up", record.pid, _owner(record.pid), endpoint,
                             "" if failure is None else f"not ready: {failure}")

    @staticmethod
    def compose_only() -> dict[str, str]:
        return dict(COMPOSE_ONLY)

    # -- reload ------------------------------------------------------------------------
    def reload(self) -> list[str]:
        """Pick up new `obsgen build` output: re-render Prometheus' rule list and reload;
        restart Alertmanager if its generated config appeared, else reload it."""
        ctx = self.context()
        actions = []
        if self.is_running("prometheus"):
            SERVICES["prometheus"].render_config(ctx)  # type: ignore[attr-defined]
            self._post_reload("prometheus", f"http://127.0.0.1:{self.ports.prometheus}/-/reload")
            actions.append("prometheus: reloaded")
        record = self.record("alertmanager")
        if record is not None:
            alertmanager = SERVICES["alertmanager"]
            wanted = f"--config.file={alertmanager.config_path(ctx)}"  # type: ignore[attr-defined]
            if wanted not in _cmdline(record.pid):
                self.restart("alertmanager")
                actions.append("alertmanager: restarted with the generated config")
            else:
                self._post_reload("alertmanager", f"http://127.0.0.1:{self.ports.alertmanager}/-/reload")
                actions.append("alertmanager: reloaded")
        return actions

    @staticmethod
    def _post_reload(name: str, url: str) -> None:
        status, body = http_get(url, method="POST")
        if status != 200:
            raise StackError(f"{name} rejected the reload (HTTP {status}): {body.decode(errors='replace').strip()}")


def start_levels(selection: list[str]) -> list[list[str]]:
    """Group services by dependency depth (within the selection), keeping start order inside a level."""
    depth: dict[str, int] = {}

    def depth_of(name: str) -> int:
        if name not in depth:
            dependencies = [dependency for dependency in START_AFTER[name] if dependency in selection]
            depth[name] = 1 + max(map(depth_of, dependencies), default=-1)
        return depth[name]

    levels: list[list[str]] = []
    for name in selection:
        level = depth_of(name)
        levels.extend([] for _ in range(level + 1 - len(levels)))
        levels[level].append(name)
    return levels


def _owner(pid: int) -> str | None:
    uid = process.process_owner_uid(pid)
    if uid is None:
        return None
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except FileNotFoundError:
        return []


def reload_if_serving(generated_dir: Path | str) -> list[str]:
    """After `obsgen build --out generated_dir`: reload the native stack of the current directory
    (.stack/ or $OBSGEN_STACK_DIR) when it loads its rules from generated_dir. Returns what was done."""
    try:
        stack = Stack()
    except RuntimeError:  # obsgen installed without a checkout: there is no native stack to reload
        return []
    if stack.layout.generated_dir != Path(generated_dir).resolve() or not stack.running_services():
        return []
    try:
        return stack.reload()
    except StackError as error:
        return [f"reload failed: {error}"]


def start_service(name: str, state_dir: Path | str | None = None, **stack_options) -> ServiceStatus:
    return Stack(state_dir, **stack_options).start_service(name)


def stop_service(name: str, state_dir: Path | str | None = None, force: bool = False, **stack_options) -> bool:
    return Stack(state_dir, **stack_options).stop_service(name, force=force)
