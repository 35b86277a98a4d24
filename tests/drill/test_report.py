"""The drill's report and defaults, from a synthetic result (no servers)."""

from __future__ import annotations

import json

from lab.drill.judge import Expectation, judge
from lab.drill.observe import AlertKey, Observation
from lab.drill.report import alert_rows, render_json, render_text
from lab.drill.runner import MIN_AUTO_HOLD_SECONDS, DrillResult, auto_hold, resolution_time
from lab.drill.scale import DrillScale, ScaledAlert
from lab.drill.timeline import Event, alert_times, merge, transitions

CAUSE, BURN, OTHER = AlertKey("DbDown", "page"), AlertKey("Burn", "ticket"), AlertKey("Other", "page")
EXPECT = Expectation("DbDown", ("Burn",))
SCALE = DrillScale(60, 5)


def result() -> DrillResult:
    observations = [
        Observation(0, (), ()),
        Observation(10, ((CAUSE, "firing"),), ((CAUSE, "active", ()),)),
        Observation(20, ((CAUSE, "firing"), (BURN, "firing"), (OTHER, "firing")),
                    ((BURN, "suppressed", ("x",)), (CAUSE, "active", ()), (OTHER, "active", ()))),
        Observation(35, (), ()),
    ]
    scaled = [ScaledAlert("DbDown", "page", "5s", "1m"), ScaledAlert("Burn", "ticket", "15s", "15m")]
    drill = DrillResult("purchase", "database", "PostgreSQL", "postgres", SCALE, "/state/drill/generated", EXPECT,
                        scaled, hold=30, resolve_timeout=300)
    drill.events = merge([Event(0, "failure", "stopping postgres"), Event(30, "restore", "postgres is ready")],
                         transitions(observations))
    drill.times = alert_times(observations)
    drill.restored_at = 30
    drill.findings = judge(EXPECT, observations, 30)
    return drill


def test_rows_put_the_cause_first_and_mark_what_the_map_does_not_list():
    rows = alert_rows(result())
    assert [(r["alert"], r["role"]) for r in rows] == [("DbDown", "cause"), ("Burn", "symptom"), ("Other", "unexpected")]
    assert rows[0]["for"] == "1m->5s" and rows[0]["resolved_after_restore_s"] == 5
    assert rows[1]["alertmanager_inhibited_s"] == 20 and rows[1]["alertmanager_active_s"] is None


def test_text_report_says_scale_timeline_and_verdict():
    text = render_text(result())
    assert "drill time scale: alert windows and `for` durations divided by 60" in text
    assert "    +0.0s  failure: stopping postgres" in text
    assert "   +20.0s  Burn (ticket): Alertmanager suppressed" in text
    assert "FAIL  Other (page) fired at +20.0s, but the impact map does not list it for this dependency" in text
    assert text.rstrip().endswith("FAILED: reality differs from the impact map")


def test_json_report_is_data():
    data = json.loads(render_json(result()))
    assert data["passed"] is False and data["scale"]["min_window_s"] == 20
    assert data["timeline"][0] == {"t": 0, "subject": "failure", "what": "stopping postgres"}


def test_auto_hold_covers_the_slowest_symptom_and_real_time_retries():
    scaled = [ScaledAlert("Burn", "ticket", "15s", "15m"), ScaledAlert("Unrelated", "page", "10m", "10h")]
    assert auto_hold(scaled, EXPECT, SCALE) == max(MIN_AUTO_HOLD_SECONDS, 15 + 2 * 20)
    assert auto_hold(scaled, EXPECT, DrillScale(1, 60)) == max(MIN_AUTO_HOLD_SECONDS, 15 + 2 * 240)


def test_resolution_waits_for_the_longest_window_to_clear(purchase_journey):
    # Scaled by 60: the 3d/6h ticket pair resets on its 6 min short window, and the ticket companion lasts
    # 15 s more (a 5 s scrape and two 5 s evaluations); the longest `for` is 15 s.
    assert resolution_time(purchase_journey, [ScaledAlert("Burn", "ticket", "15s", "15m")], SCALE) == 375 + 15 + 60


def test_the_companion_comes_right_after_its_cause_in_the_report():
    companion = AlertKey("DbRecentlyDown", "none")
    expect = Expectation("DbDown", ("Burn",), companion="DbRecentlyDown", held_after=("Burn",))
    drill = result()
    drill.expectation = expect
    drill.times = alert_times([Observation(0, (), ()), Observation(10, ((CAUSE, "firing"),), ()),
                               Observation(40, ((companion, "firing"), (BURN, "firing")), ())])
    assert [(r["alert"], r["role"]) for r in alert_rows(drill)] == [
        ("DbDown", "cause"), ("DbRecentlyDown", "companion"), ("Burn", "symptom")]
    assert "after it resolves: DbRecentlyDown holds back Burn while their windows reset" in render_text(drill)
    assert json.loads(render_json(drill))["companion"] == "DbRecentlyDown"
