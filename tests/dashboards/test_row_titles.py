"""The runbook names dashboard rows by their TITLE constants without building them (issue 16): each
constant must be the title the row is built with, for every example journey (with and without
dependencies, traces, journey time)."""

from __future__ import annotations

import pytest

from obsgen.artifacts.grafana.rows import dependencies, errors, flow, journey_time, slos, traces
from obsgen.build.load import load_journey
from tests.conftest import ROOT

ROWS = [slos, errors, flow, journey_time, dependencies, traces]
SPECS = sorted((ROOT / "specs" / "examples").glob("*.yaml")) + [ROOT / "specs" / "purchase.yaml"]


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_row_is_built_with_the_title_the_runbook_names(spec):
    journey = load_journey(spec)
    assert [row.section(journey).title for row in ROWS] == [row.TITLE for row in ROWS]


def test_the_dashboard_shows_the_titles(purchase_journey):
    from obsgen.artifacts.grafana import build_dashboard

    shown = {p["title"] for p in build_dashboard(purchase_journey)["panels"] if p["type"] == "row"}
    assert {row.TITLE for row in ROWS} <= shown
