"""The native stack runs the pinned Go builds of Prometheus and Alertmanager (scripts/go-tools) when
they are installed, Debian's otherwise; $OBSGEN_PROMETHEUS / $OBSGEN_ALERTMANAGER override both."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from lab.stack.services.daemons import Alertmanager, Prometheus

SERVICES = [(Prometheus, "prometheus", "OBSGEN_PROMETHEUS", "3."), (Alertmanager, "alertmanager", "OBSGEN_ALERTMANAGER", "0.35.")]


def executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.mark.parametrize(("service", "go_name", "env_var", "_"), SERVICES)
def test_the_pinned_build_wins_over_the_package_and_the_variable_over_both(service, go_name, env_var, _,
                                                                          tmp_path, monkeypatch):
    monkeypatch.delenv(env_var, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    pinned = executable(tmp_path / "cache" / "obsgen" / "bin" / go_name)
    assert service().binary() == str(pinned)
    chosen = executable(tmp_path / "elsewhere" / go_name)
    monkeypatch.setenv(env_var, str(chosen))
    assert service().binary() == str(chosen)
    monkeypatch.setenv(env_var, str(tmp_path / "missing"))
    assert service().binary() is None
    assert env_var in service().unavailable_reason(None)


@pytest.mark.integration
@pytest.mark.parametrize(("service", "go_name", "env_var", "release"), SERVICES)
def test_in_ci_the_stack_runs_the_current_releases(service, go_name, env_var, release):
    binary = service().binary()
    version = "" if binary is None else subprocess.run([binary, "--version"], stdout=subprocess.PIPE,
                                                       stderr=subprocess.STDOUT, text=True, check=False).stdout
    if f"version {release}" not in version and os.environ.get("CI", "").lower() not in ("1", "true", "yes"):
        pytest.skip(f"{go_name} {release}x is not installed (scripts/go-tools install {go_name}); stack runs {binary}")
    assert f"version {release}" in version, version
