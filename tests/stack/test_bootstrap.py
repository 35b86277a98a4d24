"""scripts/bootstrap installs what the native stack runs (checked against this machine's dpkg)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from lab.stack.services.postgres import find_bindir
from lab.stack.services.rabbitmq import RABBITMQ_BINDIR
from tests.stack.conftest import ROOT

BOOTSTRAP = ROOT / "scripts" / "bootstrap"

pytestmark = pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="needs a Debian/Ubuntu host (dpkg)")


def bootstrap_packages() -> set[str]:
    result = subprocess.run([str(BOOTSTRAP), "--print-packages"], capture_output=True, text=True, check=True)
    return set(result.stdout.split())


def binaries_the_stack_runs() -> list[Path]:
    pg_bindir = find_bindir()
    assert pg_bindir is not None, "PostgreSQL server binaries are installed on this machine"
    named = [shutil.which(name) for name in ("prometheus", "promtool", "amtool", "prometheus-alertmanager",
                                             "prometheus-postgres-exporter", "nginx", "epmd", "dot")]
    assert all(named), named
    return [Path(path) for path in named] + [RABBITMQ_BINDIR / "rabbitmq-server", RABBITMQ_BINDIR / "rabbitmqctl",
                                             pg_bindir / "postgres", pg_bindir / "initdb", pg_bindir / "pg_ctl",
                                             pg_bindir / "psql", pg_bindir / "pg_isready"]


def owning_package(path: Path) -> str:
    # dpkg records the path as packaged; /usr/sbin vs /sbin and symlinks differ between releases.
    for candidate in (path, path.resolve()):
        result = subprocess.run(["dpkg-query", "-S", str(candidate)], capture_output=True, text=True, check=False)
        if result.returncode == 0:
            return result.stdout.split(":")[0].split(",")[0].strip()
    raise AssertionError(f"no package owns {path}")


def dependency_closure(roots: set[str]) -> set[str]:
    """Installed packages reachable from roots through Depends/Pre-Depends (any alternative)."""
    listing = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package}\t${Provides}\t${Depends}, ${Pre-Depends}\n"],
        capture_output=True, text=True, check=True).stdout
    depends: dict[str, set[str]] = {}
    providers: dict[str, set[str]] = {}
    for line in listing.splitlines():
        package, provides, requirements = line.split("\t")
        depends[package] = {re.split(r"[\s(:]", alternative.strip())[0]
                            for alternative in re.split(r"[,|]", requirements) if alternative.strip()}
        for virtual in filter(None, (re.split(r"[\s(]", item.strip())[0] for item in provides.split(","))):
            providers.setdefault(virtual, set()).add(package)
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        package = pending.pop()
        if package in seen:
            continue
        seen.add(package)
        pending.extend(depends.get(package, set()) | providers.get(package, set()))
    return seen


@pytest.mark.integration
def test_bootstrap_is_valid_bash() -> None:
    assert subprocess.run(["bash", "-n", str(BOOTSTRAP)], check=False).returncode == 0
    assert os.access(BOOTSTRAP, os.X_OK)


@pytest.mark.integration
def test_bootstrap_installs_every_binary_the_stack_runs() -> None:
    installed = dependency_closure(bootstrap_packages())
    owners = {str(path): owning_package(path) for path in binaries_the_stack_runs()}
    assert {path: owner for path, owner in owners.items() if owner not in installed} == {}


def test_bootstrap_is_non_interactive_and_keeps_package_services_down() -> None:
    script = BOOTSTRAP.read_text()
    assert script.count("DEBIAN_FRONTEND=noninteractive apt-get") == 2
    assert "policy-rc.d" in script and "exit 101" in script
    assert "stack/store/requirements.txt" in script and "[dev]" in script
