"""Shared fixtures: the repository layout and the purchase spec."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURCHASE_SPEC = ROOT / "specs" / "purchase.yaml"


@pytest.fixture(scope="session")
def purchase_journey():
    from obsgen.spec.loader import load_journey

    return load_journey(PURCHASE_SPEC, source_name="specs/purchase.yaml")


@pytest.fixture
def spec_text() -> str:
    return PURCHASE_SPEC.read_text()
