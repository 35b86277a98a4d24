"""Finding and running the external tools obsgen validates with (promtool, amtool, dot)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Sequence

# Where each validating program may be named; the modules that run them read these.
PROMTOOL_ENV = "OBSGEN_PROMTOOL"
AMTOOL_ENV = "OBSGEN_AMTOOL"


def cache_root() -> Path:
    """obsgen's directory under the user's cache ($XDG_CACHE_HOME/obsgen, else ~/.cache/obsgen)."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "obsgen"


def go_tools_bin() -> Path:
    """Where scripts/go-tools puts the pinned Go-built programs (promtool, amtool, prometheus, ...)."""
    return cache_root() / "bin"


def go_tool(name: str) -> str | None:
    """The pinned build of `name` from scripts/go-tools, when it has been installed."""
    path = go_tools_bin() / name
    return str(path) if path.is_file() and os.access(path, os.X_OK) else None


def find_tool(name: str, env_var: str, install_hint: str, missing: type[Exception]) -> str:
    """Path of a tool: $env_var (a path or a name on PATH), then the pinned build from scripts/go-tools,
    then PATH; raise `missing` with the hint."""
    found = locate(name, env_var)
    if found is None:
        configured = os.environ.get(env_var)
        raise missing(f"${env_var}={configured!r} is not an executable. {install_hint}" if configured else install_hint)
    return found


def locate(name: str, env_var: str) -> str | None:
    """find_tool's answer without its error: the path, or None when there is none."""
    configured = os.environ.get(env_var)
    if configured:
        return shutil.which(configured)
    return go_tool(name) or shutil.which(name)


# These Go programs live for a second or less and hold a few hundred MB at most: collecting garbage
# less often saves a sixth to a quarter of promtool's CPU in the rule tests (BENCHMARKS.md "Go's GC in
# promtool"). A promtool that runs many test files keeps growing its heap to 5x what was live at its last
# collection: the soft limit makes it collect sooner instead, which costs these runs no CPU (their live heap
# is a few tens of MB) and keeps each process near 300 MB (BENCHMARKS.md "Fewer promtool processes"). A GOGC
# or GOMEMLIMIT the user set wins.
GO_GC_PERCENT = "400"
GO_MEMORY_LIMIT = "256MiB"


def environment(go_threads: int | None = None) -> dict[str, str]:
    """What obsgen runs its Go tools with. go_threads: the cores one of them may use (GOMAXPROCS), when obsgen
    runs several side by side; Go's own threads then contend with the other processes for every core (BENCHMARKS.md
    "One core per promtool in the rule-test pool"). A GOGC, GOMEMLIMIT or GOMAXPROCS the user set wins."""
    defaults = {"GOGC": GO_GC_PERCENT, "GOMEMLIMIT": GO_MEMORY_LIMIT}
    if go_threads is not None:
        defaults["GOMAXPROCS"] = str(go_threads)
    # LC_ALL=C: these tools do not localise today, but our output parsers must not depend on that.
    return {**defaults, **os.environ, "LC_ALL": "C"}


def run_tool(binary: str, args: Sequence[str], stdin: str | None = None, *,
             go_threads: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([binary, *args], input=stdin, capture_output=True, text=True, check=False,
                          env=environment(go_threads))
