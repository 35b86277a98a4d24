"""The hooks of .pre-commit-hooks.yaml, run by the `pre-commit` package in a user's repository that
names this checkout as its hook repository (pre-commit clones it at a commit and pip-installs it)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT
from tests.package.installed import git, snapshot_repository, user_environment

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SPEC = ROOT / "specs" / "examples" / "etcd-kv.yaml"
HOOKS = ("obsgen-build-check", "obsgen-lint")


def pre_commit(repository: Path, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
                          cwd=repository, capture_output=True, text=True, timeout=900, check=False,
                          env=user_environment(PRE_COMMIT_HOME=str(home)))


def hook_outcomes(output: str) -> dict[str, str]:
    """pre-commit's summary lines: `obsgen build --check....Passed` per hook name."""
    names = {"obsgen build --check": "obsgen-build-check", "obsgen lint": "obsgen-lint"}
    outcomes = {}
    for line in output.splitlines():
        for name, hook in names.items():
            if line.startswith(name + "."):
                outcomes[hook] = re.search(r"(\w+)$", line).group(1)
    return outcomes


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pre-commit's cache: the hook environment is installed once for the module."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="module")
def user_repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("pre-commit")
    hooks_repo, sha = snapshot_repository(work, ".pre-commit-hooks.yaml")
    repository = work / "user"
    (repository / "specs").mkdir(parents=True)
    shutil.copy(SPEC, repository / "specs" / SPEC.name)
    config = {"repos": [{"repo": str(hooks_repo), "rev": sha, "hooks": [{"id": hook} for hook in HOOKS]}]}
    (repository / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    git("init", "-q", "-b", "main", cwd=repository)
    git("add", "-A", cwd=repository)
    return repository


def obsgen_build(repository: Path) -> None:
    subprocess.run([sys.executable, "-m", "obsgen", "build", "specs/"], cwd=repository, check=True,
                   capture_output=True, env=user_environment(PYTHONPATH=str(ROOT)))
    git("add", "-A", cwd=repository)


def test_hooks_fail_on_missing_or_stale_output_and_pass_once_built(user_repository: Path, home: Path):
    unbuilt = pre_commit(user_repository, home)
    assert unbuilt.returncode == 1, unbuilt.stdout + unbuilt.stderr
    assert hook_outcomes(unbuilt.stdout) == {"obsgen-build-check": "Failed", "obsgen-lint": "Skipped"}
    assert "generated/etcd-kv/prometheus/alerts.rules.yaml: missing" in unbuilt.stdout

    obsgen_build(user_repository)
    built = pre_commit(user_repository, home)
    assert built.returncode == 0, built.stdout + built.stderr
    assert hook_outcomes(built.stdout) == {"obsgen-build-check": "Passed", "obsgen-lint": "Passed"}

    spec = user_repository / "specs" / SPEC.name
    spec.write_text(spec.read_text().replace("title: etcd key-value requests", "title: etcd KV requests"))
    git("add", "-A", cwd=user_repository)
    stale = pre_commit(user_repository, home)
    assert stale.returncode == 1
    assert hook_outcomes(stale.stdout)["obsgen-build-check"] == "Failed"
    assert "generated/etcd-kv/grafana/dashboards/etcd-kv.json: stale" in stale.stdout


def test_lint_hook_fails_on_a_broken_rule_file(user_repository: Path, home: Path):
    rules = user_repository / "rules" / "prometheus" / "team.rules.yaml"
    rules.parent.mkdir(parents=True)
    rules.write_text("groups:\n  - name: team\n    rules:\n      - alert: Broken\n        expr: sum((\n")
    git("add", "-A", cwd=user_repository)
    result = pre_commit(user_repository, home)
    assert hook_outcomes(result.stdout)["obsgen-lint"] == "Failed", result.stdout
    assert "rules/prometheus/team.rules.yaml:5:" in result.stdout
