"""Property: whatever a spec says, the build either succeeds and publishes validated output
(byte-identical when built again) or exits 2 with every problem as `file:line:col: message`.
Any other exception, a validation failure (exit 1) or a traceback is a bug (issues 12 and 15).

Budget: the `ci` hypothesis profile in tests/conftest.py (fixed examples, derandomized).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import given

from obsgen.build.pipeline import build_fleet
from obsgen.errors import SpecError
from obsgen.spec.schema import journey_schema
from tests.spec import strategies

pytestmark = pytest.mark.slow

SPEC_NAME = "spec.yaml"
# Paths are shown from the current directory, or absolute outside it (the spec lives in a temporary one).
POSITIONED = re.compile(rf"^(?:/\S*/)?{re.escape(SPEC_NAME)}:(\d+):(\d+): \S[^\n]*$")


def assert_builds_or_reports(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / SPEC_NAME
        spec.write_text(text, encoding="utf-8")
        try:
            # The CLI's `obsgen build --no-test`: promtool, amtool and lint check the staged output.
            build_fleet([spec], Path(tmp) / "first", validate=True, run_tests=False)
        except SpecError as error:
            assert_positioned(error, text)
            return
        # Exit 0 must mean the whole output was published, and the same spec builds the same bytes.
        build_fleet([spec], Path(tmp) / "second", validate=False, run_tests=False)
        first, second = files_under(Path(tmp) / "first"), files_under(Path(tmp) / "second")
        assert first, "the build succeeded but published nothing"
        assert first == second


def assert_positioned(error: SpecError, text: str) -> None:
    assert error.diagnostics, "a spec error without any problem"
    lines = text.count("\n") + 1
    for diagnostic in error.diagnostics:
        shown = str(diagnostic)
        match = POSITIONED.match(shown)
        assert match, f"not a positioned one-line problem: {shown!r}"
        assert 1 <= int(match[1]) <= lines and int(match[2]) >= 1, shown


def files_under(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.mark.integration
def test_the_base_specs_build():
    """The mutations start from valid specs; if one of them fails the property tells nothing."""
    for spec in strategies.base_specs():
        assert_builds_or_reports(spec.read_text(encoding="utf-8"))


@given(strategies.from_schema(journey_schema()).map(strategies.dump))
def test_specs_generated_from_the_schema_build_or_report_positions(text):
    assert_builds_or_reports(text)


@pytest.mark.integration
@given(strategies.mutated_specs())
def test_mutated_specs_build_or_report_positions(text):
    assert_builds_or_reports(text)


@pytest.mark.integration
@given(strategies.yaml_oddities())
def test_yaml_oddities_build_or_report_positions(text):
    assert_builds_or_reports(text)
