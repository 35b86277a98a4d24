"""stack/docker-compose.yml is safe by default, checked statically: loopback ports, credentials only from
stack/.env (compose refuses to start without them), fault injection off, exact image releases, and the
store's Python dependencies locked with hashes."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
import yaml

from lab.stack.compose_env import ComposeEnvExists, compose_env_values, write_compose_env
from tests.stack.conftest import COMPOSE_FILE, STACK_ASSETS, MissingComposeVariable, compose_interpolate

TEXT = COMPOSE_FILE.read_text()
SERVICES = yaml.safe_load(TEXT)["services"]
STORE_SERVICES = ("api", "worker", "payment-gateway")
LOCK = STACK_ASSETS / "store" / "requirements.lock"
REQUIRED_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*):\?")
# An exact release (v1.2.3, 1.2.3, 3.12.14-management; PostgreSQL's are MAJOR.MINOR since 10) or a
# digest; never a floating tag (postgres:15, nginx:1.25, latest).
PINNED_IMAGE = re.compile(r"^([\w./-]+:v?\d+\.\d+\.\d+(-[a-z]+)?|postgres:\d+\.\d+|[\w./-]+@sha256:[0-9a-f]{64})$")


def resolved(env: dict[str, str]) -> dict:
    return yaml.safe_load(compose_interpolate(TEXT, env))["services"]


@pytest.mark.parametrize("name", sorted(name for name, service in SERVICES.items() if service.get("ports")))
def test_ports_are_published_on_loopback_unless_asked(name: str) -> None:
    for entry in SERVICES[name]["ports"]:
        assert str(entry).startswith("${OBSGEN_BIND:-127.0.0.1}:"), f"{name}: {entry}"
    for entry in resolved(compose_env_values())[name]["ports"]:
        assert str(entry).startswith("127.0.0.1:"), f"{name}: {entry}"
    everywhere = resolved({**compose_env_values(), "OBSGEN_BIND": "0.0.0.0"})[name]["ports"]
    assert all(str(entry).startswith("0.0.0.0:") for entry in everywhere)


def test_compose_refuses_to_start_without_the_env_file() -> None:
    with pytest.raises(MissingComposeVariable):
        compose_interpolate(TEXT, {})


def test_the_env_file_provides_every_required_variable() -> None:
    required = set(REQUIRED_VARIABLE.findall(TEXT))
    assert {"POSTGRES_PASSWORD", "RABBITMQ_USER", "RABBITMQ_PASSWORD", "GRAFANA_ADMIN_PASSWORD"} <= required
    assert required <= set(compose_env_values())


def test_no_credential_is_written_in_the_compose_file() -> None:
    assert "guest" not in TEXT
    assert "recordstore:recordstore" not in TEXT
    secrets = {
        ("postgres", "POSTGRES_PASSWORD"), ("rabbitmq", "RABBITMQ_DEFAULT_USER"),
        ("rabbitmq", "RABBITMQ_DEFAULT_PASS"), ("grafana", "GF_SECURITY_ADMIN_PASSWORD"),
    }
    for service, variable in secrets:
        assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]*\}", SERVICES[service]["environment"][variable]), (service, variable)
    generated = compose_env_values()
    for service in (*STORE_SERVICES, "postgres-exporter"):
        environment = resolved(generated)[service]["environment"]
        urls = [value for value in environment.values() if isinstance(value, str) and "@" in value]
        assert urls and all(generated["POSTGRES_PASSWORD"] in url or generated["RABBITMQ_PASSWORD"] in url
                            for url in urls), service


@pytest.mark.parametrize("service", STORE_SERVICES)
def test_fault_injection_is_off_unless_enabled(service: str) -> None:
    unset = {key: value for key, value in compose_env_values().items() if key != "RECORDSTORE_ADMIN_ENABLED"}
    for env in (unset, compose_env_values()):
        assert str(resolved(env)[service]["environment"]["RECORDSTORE_ADMIN_ENABLED"]) == "0"


@pytest.mark.parametrize("name", sorted(name for name, service in SERVICES.items() if "build" not in service))
def test_images_are_pinned_to_exact_releases(name: str) -> None:
    assert PINNED_IMAGE.match(SERVICES[name]["image"]), SERVICES[name]["image"]


def test_store_dependencies_are_locked_with_hashes() -> None:
    lock = LOCK.read_text()
    requirements = re.findall(r"^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?\s*[<>=!~]", (LOCK.parent / "requirements.txt")
                              .read_text(), flags=re.MULTILINE)
    pinned = dict(re.findall(r"^([A-Za-z0-9._-]+)==(\S+) \\$", lock, flags=re.MULTILINE))
    normalise = lambda name: re.sub(r"[-_.]+", "-", name).lower()  # noqa: E731 (PEP 503)
    assert {normalise(name) for name in requirements} <= {normalise(name) for name in pinned}
    entries = re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n\n")[-1] if "\n\n" in lock else lock)
    for entry in (e for e in entries if "==" in e):
        assert "--hash=sha256:" in entry, entry.splitlines()[0]
    dockerfile = (LOCK.parent / "Dockerfile").read_text()
    assert "pip install --require-hashes --no-deps -r requirements.lock" in dockerfile


def test_obsgen_stack_env_writes_a_private_env_file_once(tmp_path: Path) -> None:
    path = write_compose_env(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    values = dict(line.split("=", 1) for line in path.read_text().splitlines() if not line.startswith("#"))
    assert set(values) == set(compose_env_values())
    assert all(re.fullmatch(r"[0-9a-f]{32}", values[name])
               for name in ("POSTGRES_PASSWORD", "RABBITMQ_PASSWORD", "GRAFANA_ADMIN_PASSWORD"))
    with pytest.raises(ComposeEnvExists):
        write_compose_env(tmp_path)
    assert dict(line.split("=", 1) for line in write_compose_env(tmp_path, force=True).read_text()
                .splitlines() if not line.startswith("#"))["POSTGRES_PASSWORD"] != values["POSTGRES_PASSWORD"]
