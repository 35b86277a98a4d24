"""Reality against the impact map: what a drill's observations must show, and what they did.

A drill passes when
- the cause (the dependency's down alert) fires in Prometheus and reaches Alertmanager un-inhibited;
- every alert required to fire (``--expect``) fires;
- while the cause is active in Alertmanager, every symptom there is suppressed (inhibited);
- after it resolved, while its RecentlyDown companion is active, every symptom the companion holds
  back is suppressed too (no page after the cause is gone);
- nothing fires after the failure started that the impact map does not list for this dependency (what
  fired and resolved while the drill waited for a quiet journey, before the failure, is noted);
- after the dependency is back, everything resolves.
Symptoms are what *may* fire: one that never does is reported, not failed (a broker that is down
stops the events an SLO counts, so its burn alerts have nothing to burn on).
"""

from __future__ import annotations

from dataclasses import dataclass

from lab.drill.observe import Observation

FAIL, NOTE = "FAIL", "note"


@dataclass(frozen=True)
class Expectation:
    cause: str
    symptoms: tuple[str, ...]
    required: tuple[str, ...] = ()  # alerts that must fire, besides the cause
    companion: str = ""  # the cause's RecentlyDown companion
    held_after: tuple[str, ...] = ()  # the symptoms it holds back once the cause resolved

    def role(self, alert: str) -> str:
        if alert == self.cause:
            return "cause"
        if alert == self.companion:
            return "companion"
        if alert in self.symptoms:
            return "symptom"
        return "unexpected"


@dataclass(frozen=True)
class Finding:
    level: str  # FAIL | note
    message: str


def judge(expect: Expectation, observations: list[Observation], restored_at: float | None) -> list[Finding]:
    during = [o for o in observations if o.t >= 0]
    findings = _cause(expect, during)
    findings += _required(expect, during)
    findings += _inhibition(expect, during)
    findings += _after_the_cause(expect, during)
    findings += _unexpected(expect, during)
    findings += _before(expect, [o for o in observations if o.t < 0])
    findings += _symptoms_seen(expect, during)
    findings += _resolution(observations, restored_at)
    return findings


def _cause(expect: Expectation, during: list[Observation]) -> list[Finding]:
    fired = next((o.t for o in during if o.firing(expect.cause)), None)
    if fired is None:
        return [Finding(FAIL, f"{expect.cause} (the cause) never fired in Prometheus")]
    arrived = next((o.t for o in during if o.active_in_alertmanager(expect.cause)), None)
    if arrived is None:
        return [Finding(FAIL, f"{expect.cause} fired at +{fired:.1f}s but never became active in Alertmanager")]
    return [Finding(NOTE, f"{expect.cause} (the cause) fired at +{fired:.1f}s and was active in "
                          f"Alertmanager at +{arrived:.1f}s")]


def _required(expect: Expectation, during: list[Observation]) -> list[Finding]:
    return [Finding(FAIL, f"{alert} was expected to fire and did not")
            for alert in expect.required if alert != expect.cause and not any(o.firing(alert) for o in during)]


def _inhibition(expect: Expectation, during: list[Observation]) -> list[Finding]:
    """Symptoms active in Alertmanager: a failure while the cause is active there, a note otherwise."""
    leaked: dict[str, list[float]] = {}
    early: dict[str, list[float]] = {}
    for obs in during:
        cause_active = obs.active_in_alertmanager(expect.cause)
        for key, state, _ in obs.alertmanager:
            if key.alert in expect.symptoms and state == "active":
                (leaked if cause_active else early).setdefault(str(key), []).append(obs.t)
    findings = [Finding(FAIL, f"{alert} was active (not inhibited) in Alertmanager while {expect.cause} was active "
                              f"(from +{times[0]:.1f}s, {len(times)} observation(s))")
                for alert, times in sorted(leaked.items())]
    findings += [Finding(NOTE, f"{alert} was active in Alertmanager while {expect.cause} was not "
                               f"(+{times[0]:.1f}s..+{times[-1]:.1f}s): before the cause arrived, or not held back "
                               f"by its companion after it resolved")
                 for alert, times in sorted(early.items())]
    return findings


def _after_the_cause(expect: Expectation, during: list[Observation]) -> list[Finding]:
    """Once the cause resolved, the symptoms its companion holds back must not be active while it is."""
    leaked: dict[str, list[float]] = {}
    for obs in during:
        if obs.active_in_alertmanager(expect.cause) or not obs.active_in_alertmanager(expect.companion):
            continue
        for key, state, _ in obs.alertmanager:
            if key.alert in expect.held_after and state == "active":
                leaked.setdefault(str(key), []).append(obs.t)
    return [Finding(FAIL, f"{alert} was active (not inhibited) in Alertmanager after {expect.cause} resolved, while "
                          f"{expect.companion} was active (from +{times[0]:.1f}s, {len(times)} observation(s))")
            for alert, times in sorted(leaked.items())]


def _unexpected(expect: Expectation, observations: list[Observation]) -> list[Finding]:
    findings = []
    firing: dict[str, float] = {}
    pending: dict[str, float] = {}
    for obs in observations:
        for key, state in obs.prometheus:
            if expect.role(key.alert) != "unexpected":
                continue
            target = firing if state == "firing" else pending
            target.setdefault(str(key), obs.t)
    for alert, t in sorted(firing.items()):
        findings.append(Finding(FAIL, f"{alert} fired at +{t:.1f}s, but the impact map does not list it for this "
                                      f"dependency"))
    for alert, t in sorted(pending.items()):
        if alert not in firing:
            findings.append(Finding(NOTE, f"{alert} went pending at {t:+.1f}s (not in the impact map) but never fired"))
    return findings


def _before(expect: Expectation, before: list[Observation]) -> list[Finding]:
    """What fired while the drill waited for a quiet journey: the wait ends only after it resolved, so the
    failure cannot have caused it (on a fresh stack, the data-missing alerts until traffic flows)."""
    fired = sorted({str(key) for obs in before for key, state in obs.prometheus if state == "firing"})
    if not fired:
        return []
    return [Finding(NOTE, f"before the failure, while the drill waited for a quiet journey: {', '.join(fired)} "
                          f"fired and resolved (not judged)")]


def _symptoms_seen(expect: Expectation, during: list[Observation]) -> list[Finding]:
    fired = {alert for alert in expect.symptoms if any(o.firing(alert) for o in during)}
    quiet = [a for a in expect.symptoms if a not in fired]
    findings = []
    if fired:
        findings.append(Finding(NOTE, f"symptoms that fired: {', '.join(a for a in expect.symptoms if a in fired)}"))
    if quiet:
        findings.append(Finding(NOTE, f"symptoms that did not fire: {', '.join(quiet)}"))
    return findings


def _resolution(observations: list[Observation], restored_at: float | None) -> list[Finding]:
    if restored_at is None:
        return [Finding(FAIL, "the dependency was not restored")]
    last = observations[-1] if observations else None
    if last is None or last.t < restored_at:
        return [Finding(FAIL, "no observation after the dependency was restored")]
    if not last.quiet:
        still = sorted({str(k) for k, _ in last.prometheus} | {str(k) for k, _, _ in last.alertmanager})
        return [Finding(FAIL, f"not resolved {last.t - restored_at:.0f}s after the restore: {', '.join(still)}")]
    return [Finding(NOTE, f"everything resolved {last.t - restored_at:.1f}s after the restore")]


def passed(findings: list[Finding]) -> bool:
    return not any(f.level == FAIL for f in findings)
