"""Run one lint check over fixtures, with every other check disabled.

Disabling the rest keeps each test about its own check (and skips promtool
entirely for checks that do not need it, which keeps the suite fast).
"""

from __future__ import annotations

from pathlib import Path

from obsgen.lint import ALL_CHECKS, lint_paths

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> str:
    return str(FIXTURES / name)


def run_check(check_id: str, *names: str, **options):
    """Findings of ``check_id`` only, over the named fixtures; fails on parse errors."""
    assert check_id in {c.id for c in ALL_CHECKS}, check_id
    others = [c.id for c in ALL_CHECKS if c.id != check_id]
    report = lint_paths([fixture(n) for n in names], disabled=others, **options)
    assert report.errors == (), report.errors
    assert {f.check for f in report.findings} <= {check_id}
    return list(report.findings)


def places(findings) -> list[tuple[str, int | None, int | None]]:
    """(fixture-relative path, line, col) of each finding, in report order."""
    return [(str(Path(f.path).relative_to(FIXTURES)), f.line, f.col) for f in findings]
