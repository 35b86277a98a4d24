"""Specs the property-based tests (and issue 12) found crashing below the loader, one minimal
spec each under crashes/. Each must come to build or to be reported as `file:line:col`; they are
strict xfails so that a fix makes them fail loudly here until its mark is removed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.spec.test_properties import assert_builds_or_reports

CRASHES = Path(__file__).parent / "crashes"

# file name -> the crash on main when it was recorded (the area that must fix it)
KNOWN = {
    "burn-windows-1d-6h.yaml": "ruletests: AmbiguousScenario, a value on the threshold 0.001",
    "duplicate-bucket-bound.yaml": "resolve/ruletests: ScenarioError, the latency alert cannot be proven",
    "error-threshold-0-0001.yaml": "ruletests: AmbiguousScenario, a value on the threshold 0.001",
    "errors-in-another-metric.yaml": "resolve/ruletests: ScenarioError, the error alert can never fire",
    "error-threshold-1.yaml": "resolve/ruletests: AmbiguousScenario, a value on the threshold 1.0",
    "errors-same-as-requests.yaml": "resolve/ruletests: NoMatchingValue, no good series",
    "histogram-count-as-requests.yaml": "ruletests: AmbiguousScenario, a value on the threshold 0.05",
    "latency-threshold-0ms.yaml": "resolve/ruletests: ScenarioError, the alert fires in the healthy baseline",
    "latency-threshold-beyond-buckets.yaml": "resolve/ruletests: ScenarioError, the latency alert cannot be proven",
    "no-dependencies.yaml": "dashboards: ValidationFailed, the query () fails the dashboard lint",
    "objective-99-99.yaml": "ruletests: AmbiguousScenario, a value on the threshold 0.0001",
    "unsorted-bucket-bounds.yaml": "resolve/ruletests: ScenarioError, the latency alert cannot be proven",
    "stage-match-excludes-errors.yaml": "resolve/ruletests: NoMatchingValue, the errors match no request",
}


class KnownCrash(Exception):
    """The crash recorded for a file, so that a different failure of the same spec is not an xfail."""


def test_every_crash_file_is_listed():
    assert sorted(p.name for p in CRASHES.glob("*.yaml")) == sorted(KNOWN)


@pytest.mark.slow
@pytest.mark.parametrize("name", [pytest.param(name, marks=pytest.mark.xfail(strict=True, raises=KnownCrash, reason=reason))
                                  for name, reason in sorted(KNOWN.items())])
def test_crash_spec_builds_or_reports_positions(name):
    recorded = KNOWN[name].split(": ", 1)[1].split(",", 1)[0]
    try:
        assert_builds_or_reports((CRASHES / name).read_text(encoding="utf-8"))
    except Exception as crash:
        if type(crash).__name__ == recorded:
            raise KnownCrash(f"{recorded}: {crash}") from crash
        raise
