"""Timelines and verdicts from observations, without servers."""

from __future__ import annotations

import pytest

from lab.drill.judge import FAIL, NOTE, Expectation, judge, passed
from lab.drill.observe import AlertKey, Observation
from lab.drill.timeline import Event, alert_times, latest_transitions, merge, transitions
from lab.drill.traffic import NotLoopback, require_loopback

CAUSE = AlertKey("DbDown", "page")
BURN = AlertKey("Burn", "page")
OTHER = AlertKey("Other", "page")
EXPECT = Expectation("DbDown", ("Burn",))


def obs(t: float, prometheus=(), alertmanager=()) -> Observation:
    return Observation(t, tuple(prometheus), tuple(alertmanager))


def drill_ok() -> list[Observation]:
    """The cause fires, its symptom fires and is inhibited, both resolve after the restore at 30 s."""
    return [
        obs(-2),
        obs(0),
        obs(5, [(CAUSE, "pending")]),
        obs(10, [(CAUSE, "firing")], [(CAUSE, "active", ())]),
        obs(15, [(CAUSE, "firing"), (BURN, "firing")], [(BURN, "suppressed", ("fp1",)), (CAUSE, "active", ())]),
        obs(32, [(BURN, "firing")], [(BURN, "active", ())]),
        obs(40),
    ]


def messages(findings, level):
    return [f.message for f in findings if f.level == level]


def test_transitions_name_each_change_once():
    events = transitions(drill_ok())
    assert [e.line() for e in events[:3]] == [
        "    +5.0s  DbDown (page): pending",
        "   +10.0s  DbDown (page): firing",
        "   +10.0s  DbDown (page): Alertmanager active",
    ]
    assert Event(32, "DbDown (page)", "resolved") in events
    assert Event(32, "Burn (page)", "Alertmanager active") in events
    assert Event(40, "Burn (page)", "gone from Alertmanager") in events


def test_latest_transitions_add_up_to_the_whole_timeline():
    """What the drill prints as each poll arrives is exactly the timeline its report prints at the end."""
    observations = drill_ok()
    live = [e for n in range(1, len(observations) + 1) for e in latest_transitions(observations[:n])]
    assert live == transitions(observations)
    assert latest_transitions(observations[:4]) == [Event(10, "DbDown (page)", "firing"),
                                                    Event(10, "DbDown (page)", "Alertmanager active")]
    assert latest_transitions([]) == []


def test_alert_times():
    times = alert_times(drill_ok())
    assert (times[CAUSE].pending, times[CAUSE].firing, times[CAUSE].alertmanager_active, times[CAUSE].resolved) == \
        (5, 10, 10, 32)
    assert (times[BURN].firing, times[BURN].alertmanager_suppressed, times[BURN].alertmanager_active) == (15, 15, 32)
    assert times[BURN].resolved == 40


def test_resolved_is_unknown_while_still_firing():
    assert alert_times([obs(0, [(CAUSE, "firing")])])[CAUSE].resolved is None


def test_drill_actions_come_first_at_the_same_second():
    merged = merge([Event(0, "failure", "stopping x")], [Event(0, "A", "pending")])
    assert [e.subject for e in merged] == ["failure", "A"]


def test_a_matching_drill_passes_with_notes():
    findings = judge(EXPECT, drill_ok(), restored_at=30)
    assert passed(findings), findings
    assert "DbDown (the cause) fired at +10.0s and was active in Alertmanager at +10.0s" in messages(findings, NOTE)
    assert any("Burn (page) was active in Alertmanager while DbDown was not (+32.0s..+32.0s)" in m
               for m in messages(findings, NOTE))
    assert "everything resolved 10.0s after the restore" in messages(findings, NOTE)


def test_cause_that_never_fires_fails():
    findings = judge(EXPECT, [obs(0), obs(5, [(BURN, "firing")]), obs(40)], restored_at=30)
    assert "DbDown (the cause) never fired in Prometheus" in messages(findings, FAIL)


def test_cause_that_never_reaches_alertmanager_fails():
    findings = judge(EXPECT, [obs(0), obs(5, [(CAUSE, "firing")]), obs(40)], restored_at=30)
    assert messages(findings, FAIL) == ["DbDown fired at +5.0s but never became active in Alertmanager"]


def test_symptom_active_while_the_cause_is_active_fails():
    observations = drill_ok()
    observations[4] = obs(15, [(CAUSE, "firing"), (BURN, "firing")], [(BURN, "active", ()), (CAUSE, "active", ())])
    findings = judge(EXPECT, observations, restored_at=30)
    assert messages(findings, FAIL) == [
        "Burn (page) was active (not inhibited) in Alertmanager while DbDown was active (from +15.0s, 1 observation(s))"]


def test_alert_outside_the_impact_map_fails_and_pending_only_is_a_note():
    observations = drill_ok()
    observations[3] = obs(10, [(CAUSE, "firing"), (OTHER, "firing")], [(CAUSE, "active", ())])
    observations[5] = obs(32, [(BURN, "firing"), (AlertKey("Maybe", "ticket"), "pending")], [(BURN, "active", ())])
    findings = judge(EXPECT, observations, restored_at=30)
    assert messages(findings, FAIL) == [
        "Other (page) fired at +10.0s, but the impact map does not list it for this dependency"]
    assert "Maybe (ticket) went pending at +32.0s (not in the impact map) but never fired" in messages(findings, NOTE)


def test_required_alert_that_does_not_fire_fails():
    expect = Expectation("DbDown", ("Burn", "Slow"), required=("Slow",))
    findings = judge(expect, drill_ok(), restored_at=30)
    assert messages(findings, FAIL) == ["Slow was expected to fire and did not"]
    assert "symptoms that did not fire: Slow" in messages(findings, NOTE)


def test_unresolved_and_unrestored_drills_fail():
    still = drill_ok()[:-1]
    assert messages(judge(EXPECT, still, restored_at=30), FAIL) == [
        "not resolved 2s after the restore: Burn (page)"]
    assert "the dependency was not restored" in messages(judge(EXPECT, drill_ok(), restored_at=None), FAIL)


def test_firing_that_resolved_before_the_failure_is_noted_not_judged():
    """The drill waits for a quiet journey before the failure (on a fresh stack: the data-missing alerts
    until traffic flows); what resolved in that wait is not the failure's doing."""
    observations = [obs(-3, [(OTHER, "firing")])] + drill_ok()
    findings = judge(EXPECT, observations, restored_at=30)
    assert passed(findings)
    assert ("before the failure, while the drill waited for a quiet journey: Other (page) fired and resolved "
            "(not judged)") in messages(findings, NOTE)


def test_firing_after_the_failure_started_is_unexpected():
    observations = drill_ok()
    observations[2] = obs(5, [(CAUSE, "pending"), (OTHER, "firing")])
    findings = judge(EXPECT, observations, restored_at=30)
    assert "Other (page) fired at +5.0s, but the impact map does not list it for this dependency" in \
        messages(findings, FAIL)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://localhost:1/", "http://[::1]:80"])
def test_traffic_accepts_loopback(url):
    assert require_loopback(url) == url.rstrip("/")


@pytest.mark.parametrize("url", ["http://10.0.0.1:8000", "http://example.com", "http://0.0.0.0:1"])
def test_traffic_refuses_anything_else(url):
    with pytest.raises(NotLoopback):
        require_loopback(url)


# -- after the cause resolved: its RecentlyDown companion -------------------------------------------

COMPANION = AlertKey("DbRecentlyDown", "none")
HELD = Expectation("DbDown", ("Burn",), companion="DbRecentlyDown", held_after=("Burn",))


def after_the_cause(burn_state: str) -> list[Observation]:
    """The cause resolves at 32 s; its companion stays active until 50 s; Burn still fires until 45 s."""
    return drill_ok()[:5] + [
        obs(32, [(COMPANION, "firing"), (BURN, "firing")],
            [(COMPANION, "active", ()), (BURN, burn_state, ("fp2",) if burn_state == "suppressed" else ())]),
        obs(45, [(COMPANION, "firing")], [(COMPANION, "active", ())]),
        obs(55),
    ]


def test_the_companion_is_expected_and_holds_the_symptoms_after_the_cause():
    findings = judge(HELD, after_the_cause("suppressed"), restored_at=30)
    assert passed(findings), messages(findings, FAIL)


def test_a_symptom_active_after_the_cause_while_the_companion_is_active_fails():
    findings = judge(HELD, after_the_cause("active"), restored_at=30)
    assert messages(findings, FAIL) == [
        "Burn (page) was active (not inhibited) in Alertmanager after DbDown resolved, while DbRecentlyDown was "
        "active (from +32.0s, 1 observation(s))"]


def test_without_its_companion_the_same_observations_flag_it_as_unexpected():
    findings = judge(EXPECT, after_the_cause("suppressed"), restored_at=30)
    assert any("DbRecentlyDown (none) fired at +32.0s" in m for m in messages(findings, FAIL))
