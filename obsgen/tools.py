"""Finding and running the external tools obsgen validates with (promtool, amtool, dot)."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Sequence


def find_tool(name: str, env_var: str, install_hint: str, missing: type[Exception]) -> str:
    """Path of a tool: $env_var (a path or a name on PATH) wins over PATH; raise `missing` with the hint."""
    configured = os.environ.get(env_var)
    if configured:
        resolved = shutil.which(configured)
        if resolved is None:
            raise missing(f"${env_var}={configured!r} is not an executable.\n{install_hint}")
        return resolved
    found = shutil.which(name)
    if found is None:
        raise missing(install_hint)
    return found


def run_tool(binary: str, args: Sequence[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    # LC_ALL=C: these tools do not localise today, but our output parsers must not depend on that.
    return subprocess.run([binary, *args], input=stdin, capture_output=True, text=True, check=False,
                          env={**os.environ, "LC_ALL": "C"})
