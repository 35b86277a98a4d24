"""action.yml, the composite GitHub Action, as far as it can be tested without GitHub: its shape,
its pins, that inputs reach scripts only through the environment, that what it runs exists, and
its shell steps run here, in order, against a user's workspace with the wheel's venv first on PATH."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT
from tests.package.installed import Installed, snapshot_repository, user_environment
from tests.test_go_tools import table

ACTION = ROOT / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
SPEC = ROOT / "specs" / "examples" / "etcd-kv.yaml"


def action() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def shell_steps() -> list[dict]:
    return [step for step in action()["runs"]["steps"] if "run" in step]


def test_action_is_composite_with_described_inputs():
    document = action()
    assert document["runs"]["using"] == "composite"
    assert {"specs", "out", "python-version"} <= set(document["inputs"])
    for name, spec in document["inputs"].items():
        assert spec["description"].strip() and "default" in spec, name


def test_steps_are_pinned_and_inputs_reach_scripts_only_through_the_environment():
    inputs = set(action()["inputs"])
    known = {f"inputs.{name}" for name in inputs} | {"github.action_path"}
    for step in action()["runs"]["steps"]:
        if "uses" in step:
            assert re.fullmatch(r"actions/[a-z-]+@v\d+", step["uses"]), step["uses"]
            continue
        assert step["shell"] == "bash", step
        # Pasted into a script, an input is code (script injection); as an environment variable it is data.
        assert "${{" not in step["run"], step["run"]
        for value in (step.get("env") or {}).values():
            assert set(EXPRESSION.findall(str(value))) <= known, value
    used = {m for step in action()["runs"]["steps"] for v in (step.get("with") or {}).values()
            for m in EXPRESSION.findall(str(v)) if m.startswith("inputs.")}
    assert used <= {f"inputs.{name}" for name in inputs}


def test_what_the_steps_run_exists_here():
    for step in shell_steps():
        for relative in re.findall(r'"\$ACTION_PATH/([^"]+)"', step["run"]):
            path = ROOT / relative
            if relative != ".":
                assert path.is_file() and path.stat().st_mode & stat.S_IXUSR, relative
        installed_tools = re.findall(r"go-tools\" install ([\w ]+)", step["run"])
        for names in installed_tools:
            assert set(names.split()) <= set(table()), names


def test_go_version_builds_the_pinned_modules():
    """The default go-version is at least what the pinned modules' go.mod files require."""
    default = action()["inputs"]["go-version"]["default"]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "obsgen" / "gomod"
    required = []
    for name in ("promtool", "amtool"):
        package = table()[name][0]
        module, version = package.split("/cmd/")[0], package.rsplit("@", 1)[1]
        go_mod = cache / f"{module}@{version}" / "go.mod"
        if not go_mod.is_file():
            pytest.skip(f"{name}'s module is not in the Go module cache (scripts/go-tools install {name})")
        required.append(re.search(r"^go (\S+)$", go_mod.read_text(), re.M).group(1))
    as_tuple = lambda v: tuple(int(p) for p in v.split("."))  # noqa: E731
    assert all(as_tuple(default) >= as_tuple(r) for r in required), (default, required)


def run_step(step: dict, workspace: Path, action_path: Path, installed: Installed, output: Path,
             inputs: dict[str, str]) -> subprocess.CompletedProcess:
    def resolve(value: str) -> str:
        values = {**{f"inputs.{k}": v for k, v in inputs.items()}, "github.action_path": str(action_path)}
        return EXPRESSION.sub(lambda m: values[m.group(1)], str(value))

    env = user_environment(installed, GITHUB_OUTPUT=str(output),
                           **{k: resolve(v) for k, v in (step.get("env") or {}).items()})
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], cwd=workspace, env=env,
                          capture_output=True, text=True, timeout=900, check=False)


@pytest.mark.integration
@pytest.mark.slow
def test_shell_steps_pass_on_fresh_output_and_fail_on_stale(installed: Installed, tmp_path: Path):
    action_path, _ = snapshot_repository(tmp_path / "action", "action.yml", "scripts/go-tools")
    workspace = tmp_path / "workspace"
    (workspace / "specs").mkdir(parents=True)
    (workspace / "specs" / SPEC.name).write_text(SPEC.read_text())
    subprocess.run([sys.executable, "-m", "obsgen", "build", "specs/"], cwd=workspace, check=True,
                   capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    inputs = {name: spec["default"] for name, spec in action()["inputs"].items()}
    output = tmp_path / "github_output"
    for step in shell_steps():
        result = run_step(step, workspace, action_path, installed, output, inputs)
        assert result.returncode == 0, (step["name"], result.stdout, result.stderr)
    assert re.fullmatch(r"key=obsgen-go-tools-[0-9a-f]{16}\n", output.read_text())

    by_name = {step["name"]: step for step in shell_steps()}
    spec = workspace / "specs" / SPEC.name
    spec.write_text(spec.read_text().replace("title: etcd key-value requests", "title: etcd KV requests"))
    stale = run_step(by_name["obsgen build --check"], workspace, action_path, installed, output, inputs)
    assert stale.returncode == 1 and "generated/etcd-kv/grafana/dashboards/etcd-kv.json: stale" in stale.stderr

    broken = workspace / "generated" / "team" / "prometheus" / "team.rules.yaml"
    broken.parent.mkdir(parents=True)
    broken.write_text("groups:\n  - name: team\n    rules:\n      - alert: Broken\n        expr: sum((\n")
    linted = run_step(by_name["obsgen lint"], workspace, action_path, installed, output, inputs)
    assert linted.returncode == 1
    assert "::error file=generated/team/prometheus/team.rules.yaml,line=5,col=19,title=promql/syntax::" in linted.stdout
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in linted.stdout.splitlines())
