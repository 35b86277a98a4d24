"""Render DOT to SVG with Graphviz.

Graphviz's SVG is byte-stable for the same input and version (checked in tests/impact): it
embeds no timestamp, path or random id, only a version comment. The layout itself can move
between Graphviz versions, so the committed SVG belongs to the Graphviz the project's machines
install (Debian's `graphviz`).
"""

from __future__ import annotations

import os
import shutil
import subprocess

from obsgen.errors import ObsgenError

ENV_VAR = "OBSGEN_DOT"
INSTALL_HINT = ("Graphviz `dot` not found; it draws the impact picture. Install it, or point $OBSGEN_DOT at it:\n"
                "  Debian/Ubuntu: apt-get install graphviz")


class GraphvizNotFound(ObsgenError):
    """dot is not installed or $OBSGEN_DOT points nowhere."""


class GraphvizFailed(ObsgenError):
    """dot rejected the graph: a bug in the DOT renderer, never the user's spec."""


def find_dot() -> str | None:
    """Path of dot, or None when not installed. $OBSGEN_DOT wins over PATH and must exist if set."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        resolved = shutil.which(configured)
        if resolved is None:
            raise GraphvizNotFound(f"${ENV_VAR}={configured!r} is not an executable.\n{INSTALL_HINT}")
        return resolved
    return shutil.which("dot")


def require_dot() -> str:
    found = find_dot()
    if found is None:
        raise GraphvizNotFound(INSTALL_HINT)
    return found


def render_svg(dot_source: str, dot_binary: str | None = None) -> str:
    proc = subprocess.run([dot_binary or require_dot(), "-Tsvg"], input=dot_source, capture_output=True,
                          text=True, check=False, env={**os.environ, "LC_ALL": "C"})
    if proc.returncode != 0:
        raise GraphvizFailed(f"dot -Tsvg failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout
