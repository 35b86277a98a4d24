"""Render DOT to SVG with Graphviz.

Graphviz's SVG is byte-stable for the same input and version (checked in tests/impact): it
embeds no timestamp, path or random id, only a version comment. The layout itself can move
between Graphviz versions, so the committed SVG belongs to the Graphviz the project's machines
install (Debian's `graphviz`).
"""

from __future__ import annotations

import contextlib
import os
from contextvars import ContextVar
from typing import Iterator

from obsgen.errors import ObsgenError
from obsgen.tools import find_tool, run_tool

ENV_VAR = "OBSGEN_DOT"
INSTALL_HINT = ("Graphviz `dot` not found (it draws the impact picture): `apt-get install graphviz` "
                "(Debian/Ubuntu), `brew install graphviz` (macOS), or point $OBSGEN_DOT at it")


class GraphvizNotFound(ObsgenError):
    """dot is not installed or $OBSGEN_DOT points nowhere."""


class GraphvizFailed(ObsgenError):
    """dot rejected the graph: a bug in the DOT renderer, never the user's spec."""


def find_dot() -> str | None:
    """Path of dot, or None when not installed. $OBSGEN_DOT wins over PATH and must exist if set."""
    try:
        return find_tool("dot", ENV_VAR, INSTALL_HINT, GraphvizNotFound)
    except GraphvizNotFound:
        if os.environ.get(ENV_VAR):
            raise
        return None


_optional: ContextVar[bool] = ContextVar("obsgen_impact_picture_optional", default=False)


@contextlib.contextmanager
def drawing_optional(optional: bool) -> Iterator[None]:
    """Inside the block, a missing dot leaves the picture out instead of failing: `build --no-validate`
    promises to build with no external program; a validated build never drops the committed picture."""
    token = _optional.set(optional)
    try:
        yield
    finally:
        _optional.reset(token)


def picture_skipped() -> bool:
    """True when the picture must be left out: dot is missing and drawing is optional here."""
    return _optional.get() and find_dot() is None


def require_dot() -> str:
    found = find_dot()
    if found is None:
        raise GraphvizNotFound(INSTALL_HINT)
    return found


def render_svg(dot_source: str, dot_binary: str | None = None) -> str:
    proc = run_tool(dot_binary or require_dot(), ["-Tsvg"], stdin=dot_source)
    if proc.returncode != 0:
        raise GraphvizFailed(f"dot -Tsvg failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout
