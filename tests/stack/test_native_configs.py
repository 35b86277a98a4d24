"""The native stack's rendered configs pass the tools' own checks (promtool, nginx -t, amtool)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from lab.stack import Stack
from lab.stack.prometheus_config import render_native
from lab.stack.services import SERVICES
from lab.stack.templates import TemplateError, placeholders, substitute
from tests.stack.conftest import ROOT, STACK_ASSETS, free_ports

VALID_RULES = """groups:
  - name: test
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
"""


def promtool_check_config(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["promtool", "check", "config", str(path)], capture_output=True, text=True, check=False)


@pytest.mark.integration
def test_native_prometheus_config_passes_promtool_with_the_repos_generated_rules(tmp_path: Path) -> None:
    config = tmp_path / "prometheus.yml"
    config.write_text(render_native(ROOT, ROOT / "generated", free_ports(), scrape_seconds=5))
    result = promtool_check_config(config)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.integration
def test_native_prometheus_config_loads_every_journeys_rules(tmp_path: Path) -> None:
    generated = tmp_path / "generated"
    for journey in ("purchase", "search"):
        (generated / journey / "prometheus").mkdir(parents=True)
        (generated / journey / "prometheus" / "slo.rules.yaml").write_text(VALID_RULES)
    config = tmp_path / "prometheus.yml"
    config.write_text(render_native(ROOT, generated, free_ports(), scrape_seconds=15))
    result = promtool_check_config(config)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 rule files found" in result.stdout


@pytest.mark.integration
def test_broken_generated_rules_fail_the_config_check(tmp_path: Path) -> None:
    generated = tmp_path / "generated"
    (generated / "purchase" / "prometheus").mkdir(parents=True)
    (generated / "purchase" / "prometheus" / "bad.rules.yaml").write_text(
        VALID_RULES.replace("sum by (job) (up)", "sum by (job) (up"))
    config = tmp_path / "prometheus.yml"
    config.write_text(render_native(ROOT, generated, free_ports(), scrape_seconds=15))
    assert promtool_check_config(config).returncode != 0


@pytest.mark.integration
def test_fast_scrape_interval_keeps_the_timeout_valid(tmp_path: Path) -> None:
    config = tmp_path / "prometheus.yml"
    config.write_text(render_native(ROOT, tmp_path / "none", free_ports(), scrape_seconds=2))
    result = promtool_check_config(config)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "scrape_timeout: 2s" in config.read_text()


@pytest.mark.integration
def test_native_nginx_config_passes_nginx_t(state_dir: Path) -> None:
    stack = Stack(state_dir, ports=free_ports())
    nginx = SERVICES["nginx"]
    ctx = stack.context()
    nginx.prepare(ctx)
    result = subprocess.run(nginx.command(ctx) + ["-t"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    rendered = (state_dir / "nginx" / "gateway.conf").read_text()
    assert f"server 127.0.0.1:{stack.ports.api};" in rendered
    assert f"listen 127.0.0.1:{stack.ports.gateway};" in rendered


@pytest.mark.integration
def test_alertmanager_fallback_config_passes_amtool() -> None:
    result = subprocess.run(["amtool", "check-config", str(STACK_ASSETS / "alertmanager" / "fallback.yml")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_native_alertmanager_uses_the_generated_config_when_present(state_dir: Path, tmp_path: Path) -> None:
    alertmanager = SERVICES["alertmanager"]
    without = Stack(state_dir, generated_dir=tmp_path / "empty").context()
    assert alertmanager.config_path(without) == STACK_ASSETS / "alertmanager" / "fallback.yml"
    generated = tmp_path / "generated"
    config = generated / "_fleet" / "alertmanager" / "alertmanager.yaml"
    config.parent.mkdir(parents=True)
    config.write_text("route: {receiver: x}\nreceivers: [{name: x}]\n")
    with_config = Stack(state_dir, generated_dir=generated).context()
    assert alertmanager.config_path(with_config) == config


def test_rabbitmq_config_template_is_fully_rendered(state_dir: Path) -> None:
    stack = Stack(state_dir, ports=free_ports())
    rabbitmq = SERVICES["rabbitmq"]
    rabbitmq.prepare(stack.context())
    rendered = (state_dir / "rabbitmq" / "rabbitmq.conf").read_text()
    assert not placeholders(rendered)
    assert f"listeners.tcp.1 = 127.0.0.1:{stack.ports.rabbitmq}" in rendered
    assert f"prometheus.tcp.port = {stack.ports.rabbitmq_prometheus}" in rendered
    assert (state_dir / "rabbitmq" / "enabled_plugins").read_text().strip() == "[rabbitmq_prometheus]."
    cookie = state_dir / "rabbitmq" / "home" / ".erlang.cookie"
    assert cookie.stat().st_mode & 0o777 == 0o400


def test_template_substitution_leaves_nginx_variables_alone() -> None:
    assert substitute("proxy_set_header X-Correlation-ID $correlation_id; listen ${PORT};", {"PORT": 1}) == \
        "proxy_set_header X-Correlation-ID $correlation_id; listen 1;"
    with pytest.raises(TemplateError, match="MISSING"):
        substitute("${MISSING}", {})
