"""The output layout: every file a build writes lies under a directory obsgen.artifacts.layout names,
and the artifact kinds the pipeline iterates are each registered once."""

from __future__ import annotations

from obsgen.artifacts import layout
from obsgen.artifacts.kinds import KINDS
from obsgen.build.pipeline import emit_fleet
from obsgen.spec.fleet import resolve_fleet

TOP_LEVEL = {path.split("/")[0] for path in (layout.RULES_DIR, layout.GRAFANA_DIR, layout.ALERTMANAGER_CONFIG_PATH,
                                             layout.IMPACT_DIR, layout.RUNBOOK_DIR, layout.TESTS_DIR)}


def test_every_journey_file_lies_under_a_layout_directory(purchase_artifacts):
    assert {a.path.split("/")[0] for a in purchase_artifacts} == TOP_LEVEL


def test_every_fleet_file_lies_under_a_layout_directory(purchase_journey):
    paths = {a.path for a in emit_fleet(resolve_fleet([purchase_journey]))}
    assert layout.FLEET_MANIFEST_PATH in paths and layout.INDEX_DASHBOARD_PATH in paths
    assert {p.split("/")[0] for p in paths - {layout.FLEET_MANIFEST_PATH}} <= TOP_LEVEL


def test_each_kind_is_registered_once():
    assert len({kind.name for kind in KINDS}) == len(KINDS)
    assert len({kind.emit for kind in KINDS}) == len(KINDS)
