"""Shared fixtures: the repository layout and the purchase spec."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

ROOT = Path(__file__).resolve().parent.parent
PURCHASE_SPEC = ROOT / "specs" / "purchase.yaml"


@pytest.fixture(scope="session")
def purchase_journey():
    from obsgen.spec.loader import load_journey

    return load_journey(PURCHASE_SPEC, source_name="specs/purchase.yaml")


@pytest.fixture
def spec_text() -> str:
    return PURCHASE_SPEC.read_text()


# Property-based tests (tests/spec/test_properties.py) run in CI on a fixed budget: derandomized so a
# failure reproduces on any machine, no deadline because one example is a whole build (seconds on a
# loaded runner), and no shrinking, which would run hundreds more builds: a CI failure prints its
# example and a blob; HYPOTHESIS_PROFILE=explore searches much further and shrinks, locally.
settings.register_profile("ci", max_examples=50, deadline=None, derandomize=True, print_blob=True,
                          phases=[Phase.explicit, Phase.reuse, Phase.generate],
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("explore", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
