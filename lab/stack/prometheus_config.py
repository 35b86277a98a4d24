"""Prometheus configuration for both stacks, from stack/prometheus/prometheus.yml.j2.

The job names are part of the stack contract (specs select on them). Regenerate the
compose copy after changing the template or the jobs:

    python -m lab.stack.prometheus_config --compose > stack/prometheus/prometheus.compose.yml
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import jinja2

from lab.stack.layout import find_repo_root
from lab.stack.ports import CONTRACT_PORTS, Ports

TEMPLATE = Path("stack/prometheus/prometheus.yml.j2")
COMPOSE_CONFIG = Path("stack/prometheus/prometheus.compose.yml")
# Where compose mounts the repository's generated/ directory in every container.
COMPOSE_GENERATED_DIR = "/etc/obsgen/generated"
# Compose's Prometheus entrypoint links every generated/*/prometheus/*.rules.yaml here,
# because Prometheus only accepts a wildcard in the last path element.
COMPOSE_RULES_DIR = "/etc/prometheus/rules.d"
RULE_FILE_GLOB = "*.rules.yaml"
PRODUCTION_SCRAPE_SECONDS = 15
FAST_SCRAPE_SECONDS = 5


@dataclasses.dataclass(frozen=True)
class ScrapeJob:
    name: str
    host: str
    port: int
    metrics_path: str | None = None

    @property
    def target(self) -> str:
        return f"{self.host}:{self.port}"


def scrape_jobs(ports: Ports, hosts: dict[str, str]) -> list[ScrapeJob]:
    """Jobs in contract order; hosts maps a job to the host serving it (DNS name or 127.0.0.1)."""
    return [
        ScrapeJob("api", hosts["api"], ports.api),
        ScrapeJob("worker", hosts["worker"], ports.worker_metrics),
        ScrapeJob("payment-gateway", hosts["payment-gateway"], ports.payment_gateway),
        ScrapeJob("postgres", hosts["postgres"], ports.postgres_exporter),
        # Per-object endpoint: per-queue series such as rabbitmq_queue_messages_ready{queue}.
        ScrapeJob("rabbitmq", hosts["rabbitmq"], ports.rabbitmq_prometheus, "/metrics/per-object"),
        ScrapeJob("prometheus", hosts["prometheus"], ports.prometheus),
        ScrapeJob("alertmanager", hosts["alertmanager"], ports.alertmanager),
    ]


NATIVE_HOSTS = {job: "127.0.0.1" for job in
                ("api", "worker", "payment-gateway", "postgres", "rabbitmq", "prometheus", "alertmanager")}
# Compose service names; `postgres` is scraped through its exporter.
COMPOSE_HOSTS = {
    "api": "api", "worker": "worker", "payment-gateway": "payment-gateway",
    "postgres": "postgres-exporter", "rabbitmq": "rabbitmq",
    "prometheus": "localhost", "alertmanager": "alertmanager",
}


def render(repo_root: Path, *, stack: str, ports: Ports, hosts: dict[str, str], rule_globs: list[str],
           scrape_seconds: int, header: str) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(repo_root)), undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True, autoescape=False,
    )
    template = environment.get_template(TEMPLATE.as_posix())
    jobs = scrape_jobs(ports, hosts)
    return template.render(
        header=header, stack=stack, rule_globs=[_quote(rule_glob) for rule_glob in rule_globs],
        scrape_interval=f"{scrape_seconds}s", scrape_timeout=f"{min(scrape_seconds, 10)}s",
        alertmanager_target=_quote(f"{hosts['alertmanager']}:{ports.alertmanager}"),
        jobs=[{"name": job.name, "target": _quote(job.target), "metrics_path": job.metrics_path}
              for job in jobs],
    )


def journey_rule_globs(generated_dir: Path) -> list[str]:
    """One glob per journey that has a prometheus/ directory, sorted for stable output."""
    if not generated_dir.is_dir():
        return []
    return [str(rules_dir / RULE_FILE_GLOB)
            for rules_dir in sorted(generated_dir.glob("*/prometheus")) if rules_dir.is_dir()]


def render_native(repo_root: Path, generated_dir: Path, ports: Ports, scrape_seconds: int) -> str:
    return render(
        repo_root, stack="native", ports=ports, hosts=NATIVE_HOSTS,
        rule_globs=journey_rule_globs(generated_dir), scrape_seconds=scrape_seconds,
        header="Rendered by `obsgen stack up` from stack/prometheus/prometheus.yml.j2; edits are overwritten.",
    )


def render_compose(repo_root: Path) -> str:
    return render(
        repo_root, stack="compose", ports=CONTRACT_PORTS, hosts=COMPOSE_HOSTS,
        rule_globs=[f"{COMPOSE_RULES_DIR}/{RULE_FILE_GLOB}"],
        scrape_seconds=PRODUCTION_SCRAPE_SECONDS,
        header="Rendered from stack/prometheus/prometheus.yml.j2 by "
               "`python -m lab.stack.prometheus_config --compose`; do not edit by hand.",
    )


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compose", action="store_true", help="print the compose config")
    parser.parse_args(argv)
    sys.stdout.write(render_compose(find_repo_root()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
