"""grafanalib objects become plain JSON values in one walk (obsgen.artifacts.grafana.grafana._plain, issue 16)
instead of a json.dumps/json.loads round trip per panel: for every grafanalib object every example
dashboard and the index dashboard are built from, the walk gives what the round trip gives."""

from __future__ import annotations

import json

import pytest

from obsgen.artifacts.grafana import grafana
from obsgen.artifacts.grafana.dashboard import build_dashboard
from obsgen.artifacts.grafana.index import build_index_dashboard
from obsgen.build.load import load_all
from obsgen.spec.fleet import resolve_fleet
from tests.conftest import ROOT

WALK = grafana._plain  # the function under test, before any fixture wraps it
SPECS = sorted((ROOT / "specs" / "examples").glob("*.yaml")) + [ROOT / "specs" / "purchase.yaml"]


def round_trip(obj):
    return json.loads(json.dumps(obj, cls=grafana.DashboardEncoder))


@pytest.fixture
def walked(monkeypatch) -> list:
    """Every object _plain is given while dashboards are built (the real _plain still runs)."""
    seen = []
    def recording(obj):
        seen.append(obj)
        return WALK(obj)
    monkeypatch.setattr(grafana, "_plain", recording)
    return seen


def test_the_walk_gives_what_the_json_round_trip_gives(walked, tmp_path):
    fleet = resolve_fleet(load_all(SPECS[:-1], tmp_path / "generated"))
    for journey in fleet.journeys:
        build_dashboard(journey)
    build_index_dashboard(fleet)
    objects = [obj for obj in walked if hasattr(obj, "to_json_data")]
    assert len(objects) > 100  # panels, targets, variables and dashboards of eight dashboards
    for obj in objects:
        assert WALK(obj) == round_trip(obj)


@pytest.mark.parametrize("value", [
    {1: "a", 2.5: "b", True: "c", None: "d", "e": (1, 2.0, [False, None])},
    {"nested": {"x": [{"y": -0.0}, 1e300, 12345678901234567890]}},
    [float("inf"), float("nan"), "ü", ("tuple",)],
])
def test_plain_values_and_keys_follow_json(value):
    assert json.dumps(WALK(value)) == json.dumps(round_trip(value))  # as text: keys, types and order


def test_an_object_json_cannot_write_is_refused():
    with pytest.raises(TypeError):
        WALK({"set": {1, 2}})
