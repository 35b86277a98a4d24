"""Diagnostics that point at a place in a file, and the errors that carry them."""

from __future__ import annotations

from dataclasses import dataclass

# sysexits.h's EX_SOFTWARE: an internal error is neither a failed check (1) nor bad input (2), and a CI
# gate that reads 1 as "the output is stale" or 2 as "fix your spec" must not mistake a bug for either.
INTERNAL_ERROR_EXIT = 70
# A reader that stopped reading obsgen's output (`obsgen build ... | head -1`) ends it as SIGPIPE ends a Unix
# program: 128 + 13, without a message (a shell pipeline without pipefail reports the reader's status).
CLOSED_OUTPUT_EXIT = 141


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in an input file, with the position a person can jump to."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class ObsgenError(Exception):
    """Base for errors obsgen reports to the user without a traceback."""

    exit_code = 1


class SpecError(ObsgenError):
    """The spec is invalid; every problem found is listed, sorted by position."""

    exit_code = 2

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(set(diagnostics))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class ValidationFailed(ObsgenError):
    """Generated output failed an external check (promtool, amtool); nothing was written."""

    exit_code = 1
