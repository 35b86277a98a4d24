"""Before a build: are the external programs it will run installed?

Asked once, up front, so a machine without them hears about every missing program in one message
(exit 2: a setup problem, like bad input) instead of a failure half-way through validation.
`--no-validate` needs none of them.
"""

from __future__ import annotations

from typing import Callable

from obsgen.artifacts.alertmanager import amtool as alertmanager
from obsgen.errors import ObsgenError
from obsgen.tools import promtool

NO_VALIDATE_HINT = "nothing was built; `--no-validate` builds without these programs (unvalidated, not recommended)"

_VALIDATION_TOOLS: tuple[tuple[Callable[[], object], type[Exception]], ...] = (
    (promtool.find_promtool, promtool.PromtoolNotFound),
    (alertmanager.find_amtool, alertmanager.AmtoolNotFound),
)


class ToolsMissing(ObsgenError):
    """Programs the build runs are not installed; nothing was built."""

    exit_code = 2


def _problem(find: Callable[[], object], missing: type[Exception]) -> str | None:
    try:
        find()
    except missing as error:
        return str(error)
    return None


def missing_tools() -> list[str]:
    """The install hint of every program a validated build runs and cannot find."""
    return [problem for find, missing in _VALIDATION_TOOLS if (problem := _problem(find, missing))]


def require_tools() -> None:
    """Raise ToolsMissing naming each program a validated build lacks."""
    missing = missing_tools()
    if missing:
        # One line per program, so each reads as a complete message after the `obsgen: ` prefix.
        raise ToolsMissing("\nobsgen: ".join(missing + [NO_VALIDATE_HINT]))
