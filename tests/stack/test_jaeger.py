"""The native stack's Jaeger: its pinned build, its loopback-only configuration, where the store sends spans."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from lab.stack import Stack
from lab.stack.services import SERVICES
from lab.stack.services.jaeger import ENV_VAR, INSTALL_SCRIPT
from tests.stack.conftest import ROOT, free_ports

TOOLS_MODULE = ROOT / "tools" / "go" / "jaeger"


def endpoints(node) -> list[str]:
    """Every `endpoint:` value of a collector configuration, however deep."""
    if isinstance(node, dict):
        return [value for key, value in node.items() if key == "endpoint" and isinstance(value, str)] + [
            found for value in node.values() for found in endpoints(value)]
    if isinstance(node, list):
        return [found for item in node for found in endpoints(item)]
    return []


@pytest.fixture
def jaeger_ctx(state_dir: Path):
    stack = Stack(state_dir, ports=free_ports())
    return stack, stack.context()


def test_rendered_config_listens_on_loopback_on_the_stacks_ports_only(jaeger_ctx) -> None:
    stack, ctx = jaeger_ctx
    jaeger = SERVICES["jaeger"]
    jaeger.prepare(ctx)
    config = yaml.safe_load(jaeger.config_path(ctx).read_text())
    ports = stack.ports
    assert sorted(endpoints(config)) == sorted(f"127.0.0.1:{port}" for port in (
        ports.jaeger_query, ports.jaeger_query_grpc, ports.jaeger_otlp_grpc, ports.jaeger_otlp_http))
    assert sorted(jaeger.listen_ports(ctx)) == sorted(int(e.rsplit(":", 1)[1]) for e in endpoints(config))
    # Without this the collector serves its own metrics on localhost:8888, a port no stack owns.
    assert config["service"]["telemetry"]["metrics"]["level"] == "none"
    assert config["extensions"]["jaeger_storage"]["backends"]["memory_store"] == {"memory": {"max_traces": 100000}}


@pytest.mark.integration
def test_jaeger_accepts_the_rendered_config(jaeger_ctx) -> None:
    _, ctx = jaeger_ctx
    jaeger = SERVICES["jaeger"]
    if not jaeger.installed(ctx):
        pytest.skip(f"Jaeger is not built yet ({INSTALL_SCRIPT} builds it)")
    jaeger.prepare(ctx)
    result = subprocess.run([str(jaeger.binary(ctx)), "validate", "--config", f"file:{jaeger.config_path(ctx)}"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_store_sends_spans_to_jaeger_when_it_can_run_else_to_files(jaeger_ctx, monkeypatch) -> None:
    stack, ctx = jaeger_ctx
    api = SERVICES["api"]
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("RECORDSTORE_TRACE_FILE", raising=False)
    monkeypatch.setenv(ENV_VAR, shutil.which("true"))  # any executable stands for the binary here
    env = api.environment(ctx)
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == f"http://127.0.0.1:{stack.ports.jaeger_otlp_http}"
    assert "RECORDSTORE_TRACE_FILE" not in env
    monkeypatch.setenv(ENV_VAR, str(ROOT / "no-such-jaeger"))
    env = api.environment(ctx)
    assert env["RECORDSTORE_TRACE_FILE"] == str(stack.layout.trace_dir / "api.jsonl")
    assert "OTEL_EXPORTER_OTLP_ENDPOINT" not in env
    assert "OBSGEN_JAEGER is" in SERVICES["jaeger"].unavailable_reason(ctx)


@pytest.mark.integration
def test_the_installer_names_the_binary_after_the_version_the_tools_module_pins() -> None:
    path = subprocess.run([str(ROOT / INSTALL_SCRIPT), "--path"], capture_output=True, text=True,
                          check=True).stdout.strip()
    pinned = next(line.split()[1] for line in (TOOLS_MODULE / "go.mod").read_text().splitlines()
                  if line.split()[:1] == ["github.com/jaegertracing/jaeger"])
    assert Path(path).name == f"jaeger-{pinned}"


@pytest.mark.integration
def test_the_installer_refuses_a_tools_module_pinned_to_another_version(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / INSTALL_SCRIPT, tmp_path / INSTALL_SCRIPT)
    module = tmp_path / "tools" / "go" / "jaeger"
    module.mkdir(parents=True)
    (module / "go.mod").write_text((TOOLS_MODULE / "go.mod").read_text().replace(
        "github.com/jaegertracing/jaeger v1.", "github.com/jaegertracing/jaeger v0."))
    result = subprocess.run([str(tmp_path / INSTALL_SCRIPT), "--path"], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "pins github.com/jaegertracing/jaeger v0." in result.stderr
