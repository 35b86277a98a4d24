"""npm-registry tools for tests, installed once into ~/.cache/obsgen-tests/<name> and reused between runs.

Only the npm registry is contacted, by npm itself. Without node/npm a test skips with the install hint,
except under CI (the CI variable is set), where a missing tool is a failure: scripts/bootstrap installs
node and npm, so a CI run that lacks them is broken, not excused.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

NODE_HINT = "Debian: apt-get install nodejs npm, or run scripts/bootstrap"
# Written last, so an interrupted install is redone rather than half-used.
DONE_MARKER = ".obsgen-installed"


def cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "obsgen-tests"


def require_node(purpose: str) -> None:
    """Skip (fail under CI) unless node and npm are on PATH."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if not missing:
        return
    reason = f"{' and '.join(missing)} not found: needed {purpose} ({NODE_HINT})"
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"CI is set, so this is a failure, not a skip: {reason}")
    pytest.skip(reason)


def npm_prefix(name: str, packages: Sequence[str], purpose: str) -> Path:
    """An npm prefix holding exactly-pinned ``packages`` (``name@version``), installed on first use."""
    require_node(purpose)
    prefix = cache_root() / name
    marker = prefix / DONE_MARKER
    wanted = "\n".join(sorted(packages)) + "\n"
    prefix.mkdir(parents=True, exist_ok=True)
    # pytest-xdist's workers (and a developer's second run) may want the same prefix at once: one installs,
    # the others wait for it and find the marker.
    with open(prefix.with_name(f"{name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (marker.is_file() and marker.read_text() == wanted):
            install = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(prefix), *packages],
                                     check=False, capture_output=True, text=True, timeout=600)
            assert install.returncode == 0, f"npm install {' '.join(packages)} failed:\n{install.stderr}"
            marker.write_text(wanted)
    return prefix
