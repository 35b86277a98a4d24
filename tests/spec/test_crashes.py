"""Specs the property-based tests (and issue 12) found crashing below the loader, one minimal spec
each under crashes/, kept as regressions: each must build through the CLI as users run it (rule
tests included) or be refused with exit 2 and the problem at its `file:line:col`, never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

CRASHES = Path(__file__).parent / "crashes"

# Legitimate specs the rule-test generator once could not prove (values on a threshold, a slow burn
# that must page): they build, and their generated promtool rule tests pass.
BUILDS = [
    "burn-windows-1d-6h.yaml",
    "error-threshold-0-0001.yaml",
    "errors-in-another-metric.yaml",
    "histogram-count-as-requests.yaml",
    "no-dependencies.yaml",
    "objective-99-99.yaml",
    "unsorted-bucket-bounds.yaml",
]

# Specs that say something impossible: file name -> (line, column, the start of the message).
REFUSED = {
    "duplicate-bucket-bound.yaml": (11, 26, "bucket bound 0.005 is listed twice (also item 1)"),
    "error-threshold-1.yaml": (11, 32, "errorRate threshold 1 can never be exceeded"),
    "errors-same-as-requests.yaml": (10, 15, "errors select exactly the requests"),
    "latency-threshold-0ms.yaml": (11, 30, "latency threshold 0ms is not above 0"),
    "latency-threshold-beyond-buckets.yaml": (11, 30, "latency threshold 30d is not below the histogram's last "
                                                      "finite bucket (10s, from Prometheus' client default buckets"),
    "stage-match-excludes-errors.yaml": (9, 51, 'the requests match code="200" but the errors code=~"5.."'),
}


def build(name: str, tmp_path: Path) -> subprocess.CompletedProcess:
    shutil.copy(CRASHES / name, tmp_path / name)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "obsgen", "build", "--out", "out", name],
                          cwd=tmp_path, env=env, capture_output=True, text=True)


def test_every_crash_file_is_listed():
    assert sorted(p.name for p in CRASHES.glob("*.yaml")) == sorted(BUILDS + list(REFUSED))


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize("name", BUILDS)
def test_legitimate_spec_builds_and_its_rule_tests_pass(name, tmp_path):
    result = build(name, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert any((tmp_path / "out").glob("*/tests/*.tests.yaml")), "the build published no rule tests"


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_impossible_spec_is_refused_at_its_position(name, tmp_path):
    line, column, message = REFUSED[name]
    result = build(name, tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    problems = [text for text in result.stderr.splitlines() if text.startswith(f"{name}:")]
    assert len(problems) == 1, result.stderr
    assert problems[0].startswith(f"{name}:{line}:{column}: {message}"), problems[0]
    assert not (tmp_path / "out").exists(), "a refused spec must write nothing"
