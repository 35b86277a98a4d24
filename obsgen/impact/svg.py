"""Render DOT to SVG with Graphviz.

Graphviz's SVG is byte-stable for the same input and version (checked in tests/impact): it
embeds no timestamp, path or random id, only a version comment. The layout itself can move
between Graphviz versions, so the committed SVG belongs to the Graphviz the project's machines
install (Debian's `graphviz`).
"""

from __future__ import annotations

import os

from obsgen.errors import ObsgenError
from obsgen.tools import find_tool, run_tool

ENV_VAR = "OBSGEN_DOT"
INSTALL_HINT = ("Graphviz `dot` not found (it draws impact/impact.svg): install it (`apt-get install graphviz`), "
                "or point $OBSGEN_DOT at a dot binary")


class GraphvizNotFound(ObsgenError):
    """dot is not installed or $OBSGEN_DOT points nowhere: the environment, like a missing promtool."""

    exit_code = 2


class GraphvizFailed(ObsgenError):
    """dot failed on the graph: a broken Graphviz install, or a bug in the DOT renderer (never the spec)."""


def find_dot() -> str | None:
    """Path of dot, or None when not installed. $OBSGEN_DOT wins over PATH and must exist if set."""
    try:
        return find_tool("dot", ENV_VAR, INSTALL_HINT, GraphvizNotFound)
    except GraphvizNotFound:
        if os.environ.get(ENV_VAR):
            raise
        return None


def require_dot() -> str:
    found = find_dot()
    if found is None:
        raise GraphvizNotFound(INSTALL_HINT)
    return found


def render_svg(dot_source: str, dot_binary: str | None = None) -> str:
    binary = dot_binary or require_dot()
    proc = run_tool(binary, ["-Tsvg"], stdin=dot_source)
    if proc.returncode != 0:
        said = next((line.strip() for line in proc.stderr.splitlines() if line.strip()), "no message")
        raise GraphvizFailed(f"Graphviz `dot -Tsvg` ({binary}) failed with exit code "
                             f"{proc.returncode}: {said}; check that `dot -V` works, or report the DOT it was given "
                             f"(obsgen impact SPEC --format dot) as an obsgen bug")
    return proc.stdout
