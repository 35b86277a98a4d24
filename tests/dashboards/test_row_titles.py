"""The runbook names dashboard rows by their titles (obsgen.artifacts.grafana.titles) without building them
(issue 16): each must be the title its row is built with, for every example journey (with and without
dependencies, traces, journey time)."""

from __future__ import annotations

import pytest

from obsgen.artifacts.grafana import titles
from obsgen.artifacts.grafana.rows import dependencies, errors, flow, journey_time, slos, traces
from obsgen.build.load import load_journey
from tests.conftest import ROOT

ROWS = {slos: titles.SLOS, errors: titles.ERRORS, flow: titles.FLOW, journey_time: titles.JOURNEY_TIME,
        dependencies: titles.DEPENDENCIES, traces: titles.TRACES}
SPECS = sorted((ROOT / "specs" / "examples").glob("*.yaml")) + [ROOT / "specs" / "purchase.yaml"]


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_row_is_built_with_the_title_the_runbook_names(spec):
    journey = load_journey(spec)
    assert [row.section(journey).title for row in ROWS] == list(ROWS.values())


def test_the_dashboard_shows_the_titles(purchase_journey):
    from obsgen.artifacts.grafana.dashboard import build_dashboard

    shown = {p["title"] for p in build_dashboard(purchase_journey)["panels"] if p["type"] == "row"}
    assert set(ROWS.values()) <= shown

