"""stack/docker-compose.yml cannot run here (no Docker engine): keep it correct by reading it.

Every bind-mounted path exists, every host a config or an environment variable names is a
compose service, ports are the stack contract's, and the Prometheus config it mounts is
the one rendered from the shared template.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from lab.stack.compose_env import compose_env_values
from lab.stack.ports import COMPOSE_ONLY_PORTS, CONTRACT_PORTS
from lab.stack.prometheus_config import COMPOSE_CONFIG, render_compose
from lab.stack.templates import placeholders
from tests.stack.conftest import COMPOSE_FILE, ROOT, STACK_ASSETS, compose_interpolate

COMPOSE = yaml.safe_load(COMPOSE_FILE.read_text())
SERVICES = COMPOSE["services"]
# What compose runs once stack/.env is written (`obsgen stack env`).
RESOLVED_SERVICES = yaml.safe_load(compose_interpolate(COMPOSE_FILE.read_text(), compose_env_values()))["services"]
GENERATED = ROOT / "generated"

# Contract ports per compose service (container port == published port).
CONTRACT_PORTS_BY_SERVICE = {
    "nginx": (CONTRACT_PORTS.gateway,),
    "api": (CONTRACT_PORTS.api,),
    "payment-gateway": (CONTRACT_PORTS.payment_gateway,),
    "worker": (CONTRACT_PORTS.worker_metrics,),
    "postgres": (CONTRACT_PORTS.postgres,),
    "postgres-exporter": (CONTRACT_PORTS.postgres_exporter,),
    "rabbitmq": (CONTRACT_PORTS.rabbitmq, CONTRACT_PORTS.rabbitmq_prometheus),
    "prometheus": (CONTRACT_PORTS.prometheus,),
    "alertmanager": (CONTRACT_PORTS.alertmanager,),
    "jaeger": (CONTRACT_PORTS.jaeger_query, CONTRACT_PORTS.jaeger_otlp_grpc, CONTRACT_PORTS.jaeger_otlp_http),
    **COMPOSE_ONLY_PORTS,
}


def bind_mounts() -> list[tuple[str, str, str]]:
    """(service, host path as written, container path) of every short-syntax bind mount."""
    mounts = []
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            host, container = volume.split(":")[:2]
            if host.startswith((".", "/")):
                mounts.append((name, host, container))
    return mounts


def published_ports(service: dict) -> set[tuple[int, int]]:
    pairs = set()
    for entry in service.get("ports", []):
        host, container = str(entry).rsplit(":", 1)
        pairs.add((int(host.rsplit(":", 1)[-1]), int(container.split("/")[0])))
    return pairs


def hosts_in_environment() -> list[tuple[str, str, str]]:
    """(service, variable, host) for every URL-valued environment variable."""
    found = []
    for name, service in RESOLVED_SERVICES.items():
        for variable, value in (service.get("environment") or {}).items():
            value = str(value)
            if "://" in value:
                found.append((name, variable, urlsplit(value).hostname))
    return found


@pytest.mark.parametrize("service,host_path,container_path", bind_mounts(),
                         ids=[f"{s}:{h}" for s, h, _ in bind_mounts()])
def test_bind_mounted_path_exists(service: str, host_path: str, container_path: str) -> None:
    path = (STACK_ASSETS / host_path).resolve()
    if path.is_relative_to(GENERATED) and not path.exists():
        pytest.skip(f"{path.relative_to(ROOT)} is written by `obsgen build`, which has not produced it yet")
    assert path.exists(), f"{service} mounts {host_path} ({path}), which does not exist"


def test_generated_mounts_cover_what_the_stack_loads() -> None:
    # Prometheus finds rules and Alertmanager its config through the generated/ mount.
    for service in ("prometheus", "alertmanager"):
        assert ("../generated", "/etc/obsgen/generated") in {(h, c) for s, h, c in bind_mounts() if s == service}


def test_every_service_has_an_image_or_a_build_context() -> None:
    for name, service in SERVICES.items():
        assert "image" in service or "build" in service, name
        if "build" in service:
            context = STACK_ASSETS / service["build"]["context"]
            assert (context / service["build"].get("dockerfile", "Dockerfile")).is_file(), name


def test_dockerfile_copies_what_the_store_needs() -> None:
    dockerfile = (STACK_ASSETS / "store" / "Dockerfile").read_text()
    for source in re.findall(r"^COPY\s+(\S+)", dockerfile, flags=re.MULTILINE):
        assert (STACK_ASSETS / "store" / source).exists(), f"Dockerfile copies missing {source}"


@pytest.mark.parametrize("service", sorted(CONTRACT_PORTS_BY_SERVICE))
def test_ports_match_the_contract(service: str) -> None:
    assert service in SERVICES
    expected = {(port, port) for port in CONTRACT_PORTS_BY_SERVICE[service]}
    assert expected <= published_ports(SERVICES[service])


def test_environment_urls_name_compose_services() -> None:
    found = hosts_in_environment()
    assert {variable for _, variable, _ in found} >= {
        "RECORDSTORE_DATABASE_URL", "RECORDSTORE_BROKER_URL", "RECORDSTORE_PAYMENT_URL",
        "OTEL_EXPORTER_OTLP_ENDPOINT", "DATA_SOURCE_NAME"}
    for service, variable, host in found:
        assert host in SERVICES, f"{service}: {variable} points at {host!r}, which is not a compose service"


def test_store_urls_use_contract_ports() -> None:
    environment = RESOLVED_SERVICES["api"]["environment"]
    assert urlsplit(environment["RECORDSTORE_DATABASE_URL"]).port == CONTRACT_PORTS.postgres
    assert urlsplit(environment["RECORDSTORE_BROKER_URL"]).port == CONTRACT_PORTS.rabbitmq
    assert urlsplit(environment["RECORDSTORE_PAYMENT_URL"]).port == CONTRACT_PORTS.payment_gateway
    assert urlsplit(environment["OTEL_EXPORTER_OTLP_ENDPOINT"]).port == CONTRACT_PORTS.jaeger_otlp_http


@pytest.mark.integration
def test_compose_runs_the_jaeger_release_the_native_stack_builds() -> None:
    release = subprocess.run([str(ROOT / "scripts" / "install-jaeger"), "--release"], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert SERVICES["jaeger"]["image"] == f"jaegertracing/jaeger:{release.removeprefix('v')}"


def test_nginx_upstream_is_a_compose_service_and_template_is_complete() -> None:
    environment = SERVICES["nginx"]["environment"]
    host, port = environment["API_UPSTREAM"].split(":")
    assert host in SERVICES and int(port) == CONTRACT_PORTS.api
    template = (STACK_ASSETS / "nginx" / "templates" / "gateway.conf.template").read_text()
    assert placeholders(template) == set(environment), "the image's envsubst must fill every placeholder"


def test_prometheus_compose_config_is_the_rendered_template() -> None:
    committed = (ROOT / COMPOSE_CONFIG).read_text()
    assert committed == render_compose(ROOT), (
        "stack/prometheus/prometheus.compose.yml is stale: "
        "python -m lab.stack.prometheus_config --compose > stack/prometheus/prometheus.compose.yml")


def test_prometheus_targets_are_compose_services() -> None:
    config = yaml.safe_load((ROOT / COMPOSE_CONFIG).read_text())
    targets = [target for job in config["scrape_configs"] for group in job["static_configs"]
               for target in group["targets"]]
    targets += config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    for target in targets:
        host = target.rsplit(":", 1)[0]
        assert host == "localhost" or host in SERVICES, f"scrape target {target} is not a compose service"
    jobs = [job["job_name"] for job in config["scrape_configs"]]
    assert jobs == ["api", "worker", "payment-gateway", "postgres", "rabbitmq", "prometheus", "alertmanager"]


@pytest.mark.integration
def test_prometheus_compose_config_passes_promtool() -> None:
    result = subprocess.run(["promtool", "check", "config", "--syntax-only", str(ROOT / COMPOSE_CONFIG)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_grafana_datasources_point_at_compose_services() -> None:
    datasources_dir = GENERATED / "_fleet" / "grafana" / "provisioning" / "datasources"
    files = sorted(datasources_dir.glob("*.y*ml")) if datasources_dir.is_dir() else []
    if not files:
        pytest.skip("generated/_fleet/grafana/provisioning/datasources not built yet (obsgen build)")
    for path in files:
        for datasource in yaml.safe_load(path.read_text()).get("datasources", []):
            url = urlsplit(datasource["url"])
            assert url.hostname in SERVICES, f"{path.name}: {datasource['name']} -> {url.hostname}"


def test_depends_on_names_services_with_health_checks_where_required() -> None:
    for name, service in SERVICES.items():
        for dependency, condition in (service.get("depends_on") or {}).items():
            assert dependency in SERVICES, f"{name} depends on unknown {dependency}"
            assert condition["condition"] in ("service_started", "service_healthy",
                                              "service_completed_successfully")
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in SERVICES[dependency], f"{name} waits for {dependency}'s health check"


def test_health_checks_are_well_formed() -> None:
    for name, service in SERVICES.items():
        if "healthcheck" in service:
            assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name


def test_named_volumes_are_declared() -> None:
    declared = set(COMPOSE.get("volumes") or {})
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name} uses undeclared volume {source}"


def test_grafana_admin_password_comes_from_the_env_file() -> None:
    environment = SERVICES["grafana"]["environment"]
    assert environment["GF_SECURITY_ADMIN_USER"] == "${GRAFANA_ADMIN_USER:-admin}"
    assert environment["GF_SECURITY_ADMIN_PASSWORD"].startswith("${GRAFANA_ADMIN_PASSWORD:?")


def test_seed_container_names() -> None:
    # The guide's commands (docs/reference-store.md): docker logs kodekloud-record-store-api, docker stop kodekloud-record-store-db.
    assert SERVICES["api"]["container_name"] == "kodekloud-record-store-api"
    assert SERVICES["postgres"]["container_name"] == "kodekloud-record-store-db"


@pytest.mark.integration
def test_prometheus_entrypoint_links_every_journeys_rules(tmp_path: Path) -> None:
    generated = tmp_path / "generated"
    for journey in ("purchase", "search"):
        (generated / journey / "prometheus").mkdir(parents=True)
        (generated / journey / "prometheus" / "alerts.rules.yaml").write_text("groups: []\n")
    rules = tmp_path / "rules.d"
    rules.mkdir()
    result = subprocess.run(
        ["sh", str(STACK_ASSETS / "prometheus" / "compose-entrypoint.sh"), "--flag"],
        env={"PATH": "/usr/bin:/bin", "OBSGEN_GENERATED_DIR": str(generated), "OBSGEN_RULES_DIR": str(rules),
             "PROMETHEUS_BIN": "echo"}, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "--flag"
    assert sorted(path.name for path in rules.iterdir()) == ["purchase--alerts.rules.yaml",
                                                             "search--alerts.rules.yaml"]
    # The compose config's rule glob matches the links.
    config = yaml.safe_load((ROOT / COMPOSE_CONFIG).read_text())
    assert config["rule_files"] == ["/etc/prometheus/rules.d/*.rules.yaml"]


@pytest.mark.integration
@pytest.mark.parametrize("generated_exists", [True, False])
def test_alertmanager_entrypoint_prefers_the_generated_config(tmp_path: Path, generated_exists: bool) -> None:
    generated = tmp_path / "generated"
    config = generated / "_fleet" / "alertmanager" / "alertmanager.yaml"
    if generated_exists:
        config.parent.mkdir(parents=True)
        config.write_text("route: {receiver: x}\nreceivers: [{name: x}]\n")
    result = subprocess.run(
        ["sh", str(STACK_ASSETS / "alertmanager" / "compose-entrypoint.sh"), "--storage.path=/a"],
        env={"PATH": "/usr/bin:/bin", "OBSGEN_GENERATED_DIR": str(generated), "ALERTMANAGER_BIN": "echo"},
        capture_output=True, text=True, check=True)
    expected = str(config) if generated_exists else "/etc/alertmanager/fallback.yml"
    assert result.stdout.strip().splitlines()[-1] == f"--config.file={expected} --storage.path=/a"


def test_grafana_provisioning_finds_every_built_dashboard_through_the_generated_mount() -> None:
    providers_file = GENERATED / "_fleet" / "grafana" / "provisioning" / "dashboards" / "obsgen.yaml"
    if not providers_file.is_file():
        pytest.skip("generated/_fleet not built yet (obsgen build)")
    mounts = {c: h for s, h, c in bind_mounts() if s == "grafana"}
    assert mounts["/etc/obsgen/generated"] == "../generated"
    providers = yaml.safe_load(providers_file.read_text())["providers"]
    built = sorted(p.name for p in GENERATED.iterdir() if (p / "grafana" / "dashboards").is_dir())
    assert sorted(p["options"]["path"].split("/")[-3] for p in providers) == built
    for provider in providers:
        host = GENERATED / provider["options"]["path"].removeprefix("/etc/obsgen/generated/")
        assert list(host.glob("*.json")), f"{provider['name']}: no dashboard in {host}"
