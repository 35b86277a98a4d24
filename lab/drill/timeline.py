"""From a series of observations to a timeline: when each alert went pending, fired, reached
Alertmanager (active or inhibited) and resolved, in seconds since the failure started."""

from __future__ import annotations

from dataclasses import dataclass

from lab.drill.observe import AlertKey, Observation


@dataclass(frozen=True)
class Event:
    t: float
    subject: str  # an alert, or "failure"/"restore" for what the drill did
    what: str

    def line(self) -> str:
        return f"{self.t:+8.1f}s  {self.subject}: {self.what}"


@dataclass(frozen=True)
class AlertTimes:
    key: AlertKey
    pending: float | None = None  # first time pending (or firing, when it skipped pending between polls)
    firing: float | None = None
    alertmanager_active: float | None = None  # first time active (notifiable) in Alertmanager
    alertmanager_suppressed: float | None = None  # first time suppressed (inhibited or silenced)
    resolved: float | None = None  # last time it left Prometheus' pending/firing list


def transitions(observations: list[Observation]) -> list[Event]:
    """Every change of an alert's state in Prometheus and in Alertmanager, in time order."""
    events: list[Event] = []
    previous_prom: dict[AlertKey, str] = {}
    previous_am: dict[AlertKey, str] = {}
    for obs in observations:
        keys = sorted(obs.keys() | set(previous_prom) | set(previous_am))
        for key in keys:
            prom, am = obs.prometheus_state(key), obs.alertmanager_state(key)
            if prom != previous_prom.get(key):
                events.append(Event(obs.t, str(key), prom or "resolved"))
            if am != previous_am.get(key):
                events.append(Event(obs.t, str(key), f"Alertmanager {am}" if am else "gone from Alertmanager"))
            _remember(previous_prom, key, prom)
            _remember(previous_am, key, am)
    return events


def latest_transitions(observations: list[Observation]) -> list[Event]:
    """What the latest observation changed, against the one before it (shown as the drill runs)."""
    latest = observations[-1:]
    return [e for e in transitions(observations[-2:]) if latest and e.t == latest[0].t]


def _remember(states: dict[AlertKey, str], key: AlertKey, state: str | None) -> None:
    if state is None:
        states.pop(key, None)
    else:
        states[key] = state


def alert_times(observations: list[Observation]) -> dict[AlertKey, AlertTimes]:
    found: dict[AlertKey, dict] = {}
    for obs in observations:
        for key in obs.keys():
            times = found.setdefault(key, {})
            prom, am = obs.prometheus_state(key), obs.alertmanager_state(key)
            if prom in ("pending", "firing"):
                times.setdefault("pending", obs.t)
            if prom == "firing":
                times.setdefault("firing", obs.t)
            if am == "active":
                times.setdefault("alertmanager_active", obs.t)
            if am == "suppressed":
                times.setdefault("alertmanager_suppressed", obs.t)
    for key, times in found.items():
        times["resolved"] = _resolved_at(observations, key)
    return {key: AlertTimes(key, **times) for key, times in sorted(found.items())}


def _resolved_at(observations: list[Observation], key: AlertKey) -> float | None:
    """The first observation after the alert's last appearance in Prometheus; None if it never left."""
    last_seen = None
    for index, obs in enumerate(observations):
        if obs.prometheus_state(key):
            last_seen = index
    if last_seen is None or last_seen + 1 >= len(observations):
        return None
    return observations[last_seen + 1].t


def merge(*event_lists: list[Event]) -> list[Event]:
    """One timeline, stable for events at the same second (drill actions first)."""
    ordered = [(e.t, rank, i, e) for rank, events in enumerate(event_lists) for i, e in enumerate(events)]
    return [e for *_, e in sorted(ordered, key=lambda item: item[:3])]
