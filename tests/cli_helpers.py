"""Running the real command line from a chosen directory, for the tests/test_cli_*.py files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

EXAMPLE_SPEC = ROOT / "specs" / "examples" / "etcd-kv.yaml"  # etcd's own metric names (a real public system)


def obsgen(*args: str, cwd: Path = ROOT, env: dict | None = None, stderr=subprocess.PIPE, stdout=subprocess.PIPE,
           ) -> subprocess.CompletedProcess:
    """`obsgen ARGS` in a fresh interpreter using this checkout (stdout and stderr are pipes, not a TTY)."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "obsgen", *args], cwd=cwd, stdout=stdout, stderr=stderr,
                          text=True, env=environment)


def project(tmp_path: Path, spec: Path = EXAMPLE_SPEC, text: str | None = None) -> Path:
    """A fresh project directory holding specs/<spec name>; returns the spec's path."""
    specs = tmp_path / "project" / "specs"
    specs.mkdir(parents=True)
    target = specs / spec.name
    target.write_text(text if text is not None else spec.read_text())
    return target
