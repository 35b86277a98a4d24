"""`obsgen stack ...`: argument parsing only; the work is in lab.stack.runner (the lab, in a checkout only:
the group loads this module after obsgen.checkout.lab_importable)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click

from lab.stack.compose_env import ComposeEnvExists, write_compose_env
from lab.stack.health import tail
from lab.stack.logs import follow
from lab.stack.ports import parse_port_overrides
from lab.stack.prometheus_config import FAST_SCRAPE_SECONDS
from lab.stack.report import locations, status_json, status_table
from lab.stack.runner import (Stack, StackError,  # noqa: F401 (obsgen build reloads a serving stack through here)
                              reload_if_serving)
from lab.stack.services import DEFAULT_WORKER_CONCURRENCY, SERVICES, ServiceError
from lab.stack.services.store import STORE_SETTING_PREFIX
from obsgen import progress
from obsgen.checkout import STATE_DIR_ENV
from obsgen.cli.progress_options import progress_options


class _StackOptions:
    def __init__(self, state_dir: Path | None):
        self.state_dir = state_dir

    def stack(self, **options) -> Stack:
        return Stack(self.state_dir, **options)


class _ProgressHandler(logging.Handler):
    """The stack's steps (info) are progress lines, shown as every command's are; warnings always print."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno < logging.WARNING:
            progress.step(f"stack: {record.getMessage()}")
        else:
            click.echo(f"obsgen stack: {record.getMessage()}", err=True)


def _configure_logging() -> None:
    logger = logging.getLogger("lab.stack")
    if not logger.handlers:
        logger.addHandler(_ProgressHandler())
    logger.setLevel(logging.INFO)


def _service_list(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [name.strip() for name in value.split(",") if name.strip()]


def _fail(error: Exception) -> click.ClickException:
    return click.ClickException(str(error))


@click.group()
@click.option("--state-dir", type=click.Path(file_okay=False, path_type=Path), envvar=STATE_DIR_ENV,
              help=f"Directory for data, logs and pid files (default: .stack/ in the current directory; "
                   f"env {STATE_DIR_ENV}).")
@progress_options
@click.pass_context
def stack(ctx: click.Context, state_dir: Path | None) -> None:
    """Run the reference stack natively (PostgreSQL, RabbitMQ, nginx, the store, Jaeger, Prometheus, Alertmanager).

    Grafana runs only in compose: stack/docker-compose.yml.
    """
    _configure_logging()
    ctx.obj = _StackOptions(state_dir)


@stack.command()
@click.option("--only", metavar="SERVICES", help=f"Comma-separated subset: {','.join(SERVICES)}.")
@click.option("--port", "ports", multiple=True, metavar="NAME=PORT",
              help="Override a port (repeatable), e.g. --port postgres=56432. Kept for later commands.")
@click.option("--fast", is_flag=True, help=f"Scrape and evaluate every {FAST_SCRAPE_SECONDS}s (tests, demos).")
@click.option("--scrape-interval", type=click.IntRange(1, 300), metavar="SECONDS",
              help="Prometheus scrape/evaluation interval (default 15).")
@click.option("--worker-concurrency", type=click.IntRange(1, 64), metavar="N",
              help=f"Threads of the store's worker (default {DEFAULT_WORKER_CONCURRENCY}; about N/5.1 orders/s). "
                   "Kept for later commands.")
@click.pass_obj
def up(options: _StackOptions, only: str | None, ports: tuple[str, ...], fast: bool,
       scrape_interval: int | None, worker_concurrency: int | None) -> None:
    """Start the stack (or --only some services) and wait until it is ready."""
    try:
        overrides = parse_port_overrides(ports) if ports else None
        seconds = FAST_SCRAPE_SECONDS if fast else scrape_interval
        running = options.stack(ports=overrides, scrape_seconds=seconds, worker_concurrency=worker_concurrency,
                                store_env=_store_settings())
        statuses = running.up(_service_list(only))
    except (StackError, ValueError) as error:
        raise _fail(error) from error
    click.echo(locations(running.layout) + status_table(statuses, running.compose_only()), nl=False)


def _store_settings() -> dict[str, str] | None:
    """The store's RECORDSTORE_* settings in up's environment, kept for later commands (a drill restarts the
    worker with them); None without any, so the saved ones stay."""
    found = {name: value for name, value in sorted(os.environ.items()) if name.startswith(STORE_SETTING_PREFIX)}
    return found or None


@stack.command()
@click.option("--only", metavar="SERVICES", help="Comma-separated subset to stop.")
@click.option("--purge", is_flag=True, help="Also delete the state directory (data, logs). Needs a full down.")
@click.pass_obj
def down(options: _StackOptions, only: str | None, purge: bool) -> None:
    """Stop what `up` started (pid files; graceful first, then SIGKILL)."""
    if purge and only:
        raise click.UsageError("--purge stops everything; it cannot be combined with --only")
    try:
        stopped = options.stack().down(_service_list(only), purge=purge)
    except StackError as error:
        raise _fail(error) from error
    click.echo(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")


@stack.command()
@click.option("--format", "output_format", default="table", show_default=True, type=click.Choice(["table", "json"]))
@click.pass_obj
def status(options: _StackOptions, output_format: str) -> None:
    """Show each service: up/down, pid, user, where it listens."""
    running = options.stack()
    statuses, compose_only = running.status(), running.compose_only()
    if output_format == "json":
        click.echo(status_json(statuses, compose_only), nl=False)
    else:
        click.echo(locations(running.layout) + status_table(statuses, compose_only), nl=False)


@stack.command()
@click.argument("service", type=click.Choice(list(SERVICES) + ["nginx-access"]))
@click.option("-f", "--follow", "follow_log", is_flag=True, help="Keep printing new lines (Ctrl-C to stop).")
@click.option("-n", "--lines", default=50, show_default=True, help="How many lines to print first.")
@click.pass_obj
def logs(options: _StackOptions, service: str, follow_log: bool, lines: int) -> None:
    """Print (or follow) a service's log. `nginx-access` is the gateway's JSON access log."""
    path = options.stack().layout.log_file(service)
    if not path.exists() and not follow_log:
        raise click.ClickException(f"no log yet for {service} ({path})")
    write = lambda text: click.echo(text, nl=False)
    try:
        if follow_log:
            follow(path, write, lines)
        else:
            write(tail(path, lines))
    except KeyboardInterrupt:
        pass


@stack.command()
@click.argument("service", type=click.Choice(list(SERVICES)))
@click.pass_obj
def restart(options: _StackOptions, service: str) -> None:
    """Stop and start one service (failure drills)."""
    running = options.stack()
    try:
        result = running.restart(service)
    except StackError as error:
        raise _fail(error) from error
    click.echo(status_table([result], {}), nl=False)


@stack.command()
@click.pass_obj
def reload(options: _StackOptions) -> None:
    """Load new `obsgen build` output into the running Prometheus and Alertmanager."""
    try:
        actions = options.stack().reload()
    except StackError as error:
        raise _fail(error) from error
    click.echo("\n".join(actions) if actions else "neither prometheus nor alertmanager is running")


@stack.command("env")
@click.option("--force", is_flag=True, help="Replace an existing stack/.env (new credentials).")
@click.pass_obj
def compose_env(options: _StackOptions, force: bool) -> None:
    """Write stack/.env for docker compose: random PostgreSQL, RabbitMQ and Grafana credentials."""
    try:
        path = write_compose_env(options.stack().layout.stack_assets, force=force)
    except ComposeEnvExists as error:
        raise _fail(error) from error
    click.echo(f"wrote {path} (mode 0600); docker compose -f {path.parent / 'docker-compose.yml'} up -d --build")


@stack.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("psql_args", nargs=-1, type=click.UNPROCESSED)
@click.pass_obj
def psql(options: _StackOptions, psql_args: tuple[str, ...]) -> None:
    """psql on the store's database, e.g. `obsgen stack psql -c "SELECT status, count(*) FROM orders GROUP BY 1"`."""
    running = options.stack()
    try:
        postgres = running.service("postgres")
        command = postgres.psql_command(running.context(), list(psql_args))  # type: ignore[attr-defined]
    except ServiceError as error:
        raise _fail(error) from error
    os.execv(command[0], command)
