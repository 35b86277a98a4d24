"""The unit every lint check produces, and the severities it can carry."""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"
INFO = "info"
# What a check cannot decide (e.g. a metric whose type nobody declared): shown, but never fails a run.
NOTE = "note"
SEVERITIES = (ERROR, WARNING, INFO, NOTE)  # most severe first
# `--fail-on` default: what failed a run before the threshold existed (no check reports "info").
DEFAULT_FAIL_ON = WARNING


def at_least(severity: str, threshold: str) -> bool:
    """Whether ``severity`` is as severe as ``threshold`` or more (the ``--fail-on`` test)."""
    return SEVERITIES.index(severity) <= SEVERITIES.index(threshold)


@dataclass(frozen=True)
class Finding:
    """One problem at one place.

    ``line``/``col`` are 1-based and None when the place is unknown (e.g. a
    problem with the whole file).  ``json_path`` locates dashboard findings
    (``panels[3].targets[0].expr``) — stable even when the line is not.
    """

    path: str
    line: int | None
    col: int | None
    check: str
    severity: str
    message: str
    json_path: str | None = None

    def fails(self, fail_on: str = DEFAULT_FAIL_ON) -> bool:
        return at_least(self.severity, fail_on)

    def sort_key(self) -> tuple:
        return (self.path, self.line or 0, self.col or 0, self.check, self.message, self.json_path or "")

    def as_dict(self) -> dict:
        return asdict(self)


# A file we could not read or parse at all: not a finding of a check but a usage error (exit 2).
PARSE_CHECK_ID = "parse"


def sorted_findings(findings) -> list[Finding]:
    """Deterministic order (by place, then check) so output diffs cleanly across runs."""
    return sorted(set(findings), key=Finding.sort_key)
