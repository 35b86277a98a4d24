"""scripts/go-tools: one table of pinned Go programs, built once into ~/.cache/obsgen/bin."""

from __future__ import annotations

import os
import re
import subprocess
import time

import pytest

from obsgen.tools import go_tools_bin, run_tool
from tests.conftest import ROOT

GO_TOOLS = ROOT / "scripts" / "go-tools"
BOOTSTRAP = ROOT / "scripts" / "bootstrap"


def go_tools(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(GO_TOOLS), *args], capture_output=True, text=True, check=False,
                          env={**os.environ, **env})


def table() -> dict[str, tuple[str, str]]:
    text = GO_TOOLS.read_text()
    body = re.search(r"^TOOLS='\n(.*?)^'", text, re.S | re.M).group(1)
    rows = [line.split() for line in body.splitlines() if line.strip()]
    return {row[0]: (row[1], row[2]) for row in rows}


def test_every_row_pins_a_module_version():
    rows = table()
    assert {"promtool", "amtool", "prometheus", "alertmanager"} <= set(rows)
    for name, (package, release) in rows.items():
        assert re.fullmatch(r"[\w.\-/]+/" + re.escape(name) + r"@v\d+\.\d+\.\d+", package), package
        assert re.fullmatch(r"\d+\.\d+\.\d+", release), release


def test_bootstrap_builds_only_what_obsgen_build_needs():
    script = BOOTSTRAP.read_text()
    assert "BUILD_GO_TOOLS=(promtool amtool)" in script
    assert "STACK_GO_TOOLS=(prometheus alertmanager)" in script


@pytest.mark.integration
def test_unknown_and_missing_tools_are_refused_by_name(tmp_path):
    unknown = go_tools("install", "grafana")
    assert unknown.returncode == 1 and "unknown tool 'grafana'" in unknown.stderr
    missing = go_tools("path", "promtool", XDG_CACHE_HOME=str(tmp_path))
    assert missing.returncode == 1 and "scripts/go-tools install promtool" in missing.stderr


@pytest.mark.integration
def test_a_warm_install_is_a_no_op():
    if go_tools("path", "promtool").returncode != 0 or go_tools("path", "amtool").returncode != 0:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("promtool/amtool are not built (scripts/bootstrap)")
        pytest.skip("promtool/amtool are not built (scripts/go-tools install promtool amtool)")
    started = time.monotonic()
    result = go_tools("install", "promtool", "amtool")
    assert result.returncode == 0, result.stderr
    assert "building" not in result.stderr
    assert time.monotonic() - started < 5
    promtool = go_tools_bin() / "promtool"
    assert os.readlink(promtool) == f"promtool-{table()['promtool'][1]}"
    version = subprocess.run([str(promtool), "--version"], capture_output=True, text=True, check=True).stdout
    assert f"version {table()['promtool'][1]}" in version


@pytest.mark.integration
def test_the_validating_tools_collect_garbage_less_often_unless_told_otherwise(monkeypatch):
    """run_tool's programs (promtool, amtool) get GOGC=400 (BENCHMARKS.md "Go's GC in promtool") under a soft
    memory limit ("Fewer promtool processes"); a GOGC or GOMEMLIMIT the user exported is theirs."""
    monkeypatch.delenv("GOGC", raising=False)
    monkeypatch.delenv("GOMEMLIMIT", raising=False)
    assert {"GOGC=400", "GOMEMLIMIT=256MiB"} <= set(run_tool("env", []).stdout.splitlines())
    monkeypatch.setenv("GOGC", "50")
    monkeypatch.setenv("GOMEMLIMIT", "1GiB")
    shown = run_tool("env", []).stdout.splitlines()
    assert {"GOGC=50", "GOMEMLIMIT=1GiB", "LC_ALL=C"} <= set(shown) and not {"GOGC=400", "GOMEMLIMIT=256MiB"} & set(shown)


@pytest.mark.integration
def test_a_tool_run_beside_others_gets_its_share_of_the_cores_unless_told_otherwise(monkeypatch):
    """go_threads sets GOMAXPROCS (the rule-test pool's share of the cores per promtool, BENCHMARKS.md "One
    core per promtool in the rule-test pool"); without it Go takes every core; a GOMAXPROCS exported is theirs."""
    monkeypatch.delenv("GOMAXPROCS", raising=False)
    assert not [line for line in run_tool("env", []).stdout.splitlines() if line.startswith("GOMAXPROCS=")]
    assert "GOMAXPROCS=1" in run_tool("env", [], go_threads=1).stdout.splitlines()
    monkeypatch.setenv("GOMAXPROCS", "3")
    shown = run_tool("env", [], go_threads=1).stdout.splitlines()
    assert "GOMAXPROCS=3" in shown and "GOMAXPROCS=1" not in shown
