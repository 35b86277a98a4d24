"""Snapshots of a journey's alerts, in Prometheus (pending/firing) and Alertmanager (active/suppressed)."""

from __future__ import annotations

from dataclasses import dataclass

from obsgen.clients.alertmanager import AlertmanagerApi
from obsgen.clients.prometheus import PrometheusApi

JOURNEY_LABEL = "journey"


@dataclass(frozen=True, order=True)
class AlertKey:
    alert: str
    severity: str

    def __str__(self) -> str:
        return f"{self.alert} ({self.severity})" if self.severity else self.alert


@dataclass(frozen=True)
class Observation:
    t: float  # seconds since the failure started (negative before it)
    prometheus: tuple[tuple[AlertKey, str], ...]  # state: pending | firing
    alertmanager: tuple[tuple[AlertKey, str, tuple[str, ...]], ...]  # state: active | suppressed, inhibited by

    def prometheus_state(self, key: AlertKey) -> str | None:
        """firing beats pending when several series of one alert differ."""
        states = {state for k, state in self.prometheus if k == key}
        return "firing" if "firing" in states else ("pending" if states else None)

    def alertmanager_state(self, key: AlertKey) -> str | None:
        """active beats suppressed: one un-inhibited series is enough to notify."""
        states = {state for k, state, _ in self.alertmanager if k == key}
        return "active" if "active" in states else ("suppressed" if states else None)

    def keys(self) -> set[AlertKey]:
        return {k for k, _ in self.prometheus} | {k for k, _, _ in self.alertmanager}

    def firing(self, alert: str) -> bool:
        return any(k.alert == alert and state == "firing" for k, state in self.prometheus)

    def active_in_alertmanager(self, alert: str) -> bool:
        return any(k.alert == alert and state == "active" for k, state, _ in self.alertmanager)

    @property
    def quiet(self) -> bool:
        return not self.prometheus and not self.alertmanager


def _key(labels: dict) -> AlertKey:
    return AlertKey(labels.get("alertname", ""), labels.get("severity", ""))


def concerns(labels: dict, journey: str, shared_alerts: frozenset[str]) -> bool:
    """The journey's own alerts, and the shared dependencies' alerts (no journey label) it needs."""
    if JOURNEY_LABEL in labels:
        return labels[JOURNEY_LABEL] == journey
    return labels.get("alertname") in shared_alerts


def observe(prometheus: PrometheusApi, alertmanager: AlertmanagerApi, journey: str, t: float,
            shared_alerts: frozenset[str] = frozenset()) -> Observation:
    return observe_journeys(prometheus, alertmanager, {journey: shared_alerts}, t)[journey]


def observe_journeys(prometheus: PrometheusApi, alertmanager: AlertmanagerApi, scopes: dict[str, frozenset[str]],
                     t: float) -> dict[str, Observation]:
    """One snapshot of both servers, split by journey: scopes maps each journey to the shared alerts it
    needs, so a shared cause (no journey label) is in the observation of every journey that shares it."""
    firing = [a for a in prometheus.alerts() if a.get("state") in ("pending", "firing")]
    held = alertmanager.alerts()
    return {journey: Observation(t, tuple(sorted((_key(a["labels"]), a["state"]) for a in firing
                                                 if concerns(a["labels"], journey, shared))),
                                 _held(held, journey, shared))
            for journey, shared in scopes.items()}


def in_alertmanager(alertmanager: AlertmanagerApi, journey: str, shared_alerts: frozenset[str] = frozenset()
                    ) -> tuple[tuple[AlertKey, str, tuple[str, ...]], ...]:
    """The journey's alerts Alertmanager holds: (key, active | suppressed, inhibited by)."""
    return _held(alertmanager.alerts(), journey, shared_alerts)


def _held(alerts: list[dict], journey: str, shared_alerts: frozenset[str]
          ) -> tuple[tuple[AlertKey, str, tuple[str, ...]], ...]:
    am = []
    for alert in alerts:
        if not concerns(alert["labels"], journey, shared_alerts):
            continue
        status = alert.get("status") or {}
        state = status.get("state")
        if state == "unprocessed":  # received, routing not done yet: not notified, not inhibited
            continue
        am.append((_key(alert["labels"]), state, tuple(sorted(status.get("inhibitedBy") or ()))))
    return tuple(sorted(am))


def combined(observations: list[Observation]) -> Observation:
    """Several journeys' observations of one moment as one: what a fleet drill's waits and timeline read
    (alert names are unique across a fleet, and a shared cause, in each journey's, is in it once)."""
    if len(observations) == 1:
        return observations[0]
    return Observation(observations[0].t, tuple(sorted({p for o in observations for p in o.prometheus})),
                       tuple(sorted({a for o in observations for a in o.alertmanager})))
