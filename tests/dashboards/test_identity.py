"""Identity and diffs: stable uid and panel ids, stage-local changes, grid without overlaps, determinism."""

from __future__ import annotations

from obsgen.artifacts.grafana.dashboard import build_dashboard, sections
from obsgen.artifacts.grafana.ids import ID_SPACE, panel_ids
from obsgen.artifacts.grafana.layout import GRID_COLUMNS, row_key
from obsgen.render import dump_json
from tests.dashboards.conftest import journey_from, replace_once, seed_text

NEW_STAGE = """
    - name: payment
      title: Payment
      profile: http
      match: {job: api, handler: /pay, method: POST}

    - name: order_processing"""


def _keys_and_ids(journey) -> dict[str, int]:
    found = sections(journey)
    return panel_ids([row_key(s) for s in found] + [p.key for s in found for p in s.panels])


def _stages_of_panels(journey) -> dict[int, tuple[str, ...]]:
    ids = _keys_and_ids(journey)
    return {ids[p.key]: p.stages for s in sections(journey) for p in s.panels}


def _changed_panel_ids(before: dict, after: dict) -> set[int]:
    old = {p["id"]: p for p in before["panels"]}
    new = {p["id"]: p for p in after["panels"]}
    assert old.keys() == new.keys()
    return {i for i in old if old[i] != new[i]}


def _assert_only_stage_panels_change(tmp_path, old: str, new: str, stage: str) -> set[int]:
    before_journey = journey_from(tmp_path, seed_text(), "before.yaml")
    after_journey = journey_from(tmp_path, replace_once(seed_text(), old, new), "after.yaml")
    changed = _changed_panel_ids(build_dashboard(before_journey), build_dashboard(after_journey))
    owners = _stages_of_panels(before_journey)
    assert changed, "the spec change should show in the dashboard"
    strays = {i: owners.get(i) for i in changed if stage not in owners.get(i, ())}
    assert not strays, f"panels not about {stage} changed: {strays}"
    return changed


def test_stage_title_change_changes_only_that_stages_panels(tmp_path):
    changed = _assert_only_stage_panels_change(tmp_path, "title: Order processing", "title: Order fulfilment",
                                               "order_processing")
    assert len(changed) >= 4  # volume, conversions in and out, latency, errors…


def test_stage_alert_threshold_change_changes_only_that_stages_panels(tmp_path):
    changed = _assert_only_stage_panels_change(tmp_path, "threshold: 0.05", "threshold: 0.02", "checkout")
    assert len(changed) == 1  # the checkout errors panel, whose threshold line moved


def test_adding_a_stage_keeps_every_other_panel_id(tmp_path):
    before = _keys_and_ids(journey_from(tmp_path, seed_text(), "before.yaml"))
    with_payment = replace_once(seed_text(), "\n    - name: order_processing", NEW_STAGE)
    after = _keys_and_ids(journey_from(tmp_path, with_payment, "after.yaml"))
    kept = before.keys() & after.keys()
    assert {k: before[k] for k in kept} == {k: after[k] for k in kept}
    assert any("payment" in k for k in after.keys() - before.keys())
    # Only the conversion that the new stage splits in two disappears.
    assert before.keys() - after.keys() == {"flow/conversion/checkout/order_processing"}


def test_panel_ids_are_unique_and_deterministic_under_collisions():
    keys = [f"k{i}" for i in range(3000)]  # enough keys that some hash slots collide
    ids = panel_ids(keys)
    assert len(set(ids.values())) == len(keys)
    assert all(1 <= i <= ID_SPACE for i in ids.values())
    assert panel_ids(list(reversed(keys))) == ids


def test_no_panel_overlaps_and_all_fit_the_grid(dashboard):
    boxes = [(p["id"], p["gridPos"]) for p in dashboard["panels"]]
    for _, pos in boxes:
        assert 0 <= pos["x"] and pos["x"] + pos["w"] <= GRID_COLUMNS and pos["h"] > 0
    cells: dict[tuple[int, int], int] = {}
    for panel_id, pos in boxes:
        for x in range(pos["x"], pos["x"] + pos["w"]):
            for y in range(pos["y"], pos["y"] + pos["h"]):
                assert (x, y) not in cells, f"panels {cells[(x, y)]} and {panel_id} overlap at {(x, y)}"
                cells[(x, y)] = panel_id


def test_ids_unique_and_uid_fits_grafana(dashboard, purchase_journey):
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    assert dashboard["uid"] == purchase_journey.dashboard_uid and 0 < len(dashboard["uid"]) <= 40


def test_two_builds_are_byte_identical(purchase_journey, tmp_path):
    again = journey_from(tmp_path, seed_text())
    assert dump_json(build_dashboard(purchase_journey)) == dump_json(build_dashboard(again))


def test_committed_dashboard_is_what_the_spec_builds(purchase_journey):
    from tests.conftest import ROOT

    committed = (ROOT / "generated/purchase/grafana/dashboards/purchase.json").read_text(encoding="utf-8")
    assert committed == dump_json(build_dashboard(purchase_journey))
