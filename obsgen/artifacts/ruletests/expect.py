"""Which alerts fire when: the reference results run through Prometheus' pending/firing state machine."""

from __future__ import annotations

from dataclasses import dataclass

from obsgen.artifacts.prometheus import AlertRule
from obsgen.artifacts.prometheus.recently_down import INHIBITS, KIND as RECENTLY_DOWN, backlog, reset_periods
from obsgen.artifacts.ruletests.reference import AlertSample, Reference, hold_seconds
from obsgen.artifacts.ruletests.templates import expand
from obsgen.model import Saturation


@dataclass(frozen=True, order=True)
class ExpectedAlert:
    labels: tuple[tuple[str, str], ...]  # without alertname, which promtool adds
    annotations: tuple[tuple[str, str], ...]


class Timeline:
    """For each alert rule, the sample it fires with at each evaluation step (None when not firing).

    Steps are evaluated lazily, so a scenario can ask "when does it first fire?" without
    simulating far beyond the answer.
    """

    def __init__(self, reference: Reference, alerts: list[AlertRule]):
        self.reference = reference
        self.alerts = alerts
        self._states: list[list[AlertSample | None]] = [[] for _ in alerts]
        self._active_since: list[int | None] = [None for _ in alerts]
        self._holds = [hold_seconds(alert) for alert in alerts]
        self._positions: dict[int, int] = {}
        self._companions: dict[int, tuple[int, float, Saturation | None]] = {}  # by id: the alerts are kept
        for index, alert in enumerate(alerts):
            self._positions.setdefault(id(alert), index)

    def _state(self, index: int, step: int) -> AlertSample | None:
        states = self._states[index]
        if step < len(states):
            return states[step]
        alert, hold = self.alerts[index], self._holds[index]
        step_seconds = self.reference.world.step_seconds
        while len(states) <= step:
            current = len(states)
            sample = self._sample(alert, current)
            if sample is None:
                self._active_since[index] = None
                states.append(None)
                continue
            if self._active_since[index] is None:
                self._active_since[index] = current
            held = (current - self._active_since[index]) * step_seconds >= hold
            states.append(sample if held else None)
        return states[step]

    def _index(self, alert: AlertRule) -> int:
        """The first of the timeline's alerts equal to alert (the caller's own object, as a rule, is one of them)."""
        index = self._positions.get(id(alert))
        return self.alerts.index(alert) if index is None else index

    def _sample(self, alert: AlertRule, step: int) -> AlertSample | None:
        if alert.kind == RECENTLY_DOWN:
            return self._companion_sample(alert, step)
        return self.reference.alert_sample(alert, step)

    def _companion_sample(self, alert: AlertRule, step: int) -> AlertSample | None:
        """A recently-down companion reads its cause's ALERTS series: active while the cause fired at an
        evaluation within its period (the cause is evaluated first, in the same group), with the cause's
        dimension labels; with a queue gauge, also while it was active at the evaluation before, the gauge was
        above its drained level within the period and the cause fired within the period plus the drain limit
        (rules/recently_down.py)."""
        cause, period, queue = self._companion_of(alert)
        timed = self._cause_fired(cause, step, period)
        if timed is not None or queue is None or step == 0 or self._state(self._index(alert), step - 1) is None:
            return timed
        deepest = self.reference.deepest_within(queue.selector, step, period)
        if deepest is None or deepest <= queue.drained:
            return None
        return self._cause_fired(cause, step, period + queue.drain_limit)

    def _companion_of(self, alert: AlertRule) -> tuple[int, float, Saturation | None]:
        """A companion's cause (its index), reset period and queue gauge: the same at every step, and
        worked out from the journey's dependency graph, so once (the companions are read at every step)."""
        if id(alert) not in self._companions:
            dep = self.reference.journey.dependency(alert.dependency)
            cause = next(i for i, a in enumerate(self.alerts) if a.alert == dep.down_alert_name)
            period = reset_periods(self.reference.journey, dep)[alert.label(INHIBITS)]
            self._companions[id(alert)] = (cause, period, backlog(self.reference.journey, dep))
        return self._companions[id(alert)]

    def _cause_fired(self, cause: int, step: int, within: float) -> AlertSample | None:
        """The cause's latest firing sample at an evaluation within the range, as its dimension labels."""
        for past in reversed(self.reference.evaluations_in(step, within)):
            fired = self._state(cause, past)
            if fired is not None:
                dims = tuple((k, v) for k, v in fired.labels if k in self.reference.journey.dims)
                return AlertSample(dims, 1.0)
        return None

    # -- queries ----------------------------------------------------------------------------------------
    def fires(self, alert: AlertRule, step: int) -> bool:
        return self._state(self._index(alert), step) is not None

    def first_firing(self, alert: AlertRule, after: int, until: int) -> int | None:
        return self._first(alert, after, until, firing=True)

    def first_quiet(self, alert: AlertRule, after: int, until: int) -> int | None:
        return self._first(alert, after, until, firing=False)

    def _first(self, alert: AlertRule, after: int, until: int, firing: bool) -> int | None:
        """The first step in after .. until at which the alert fires (or is quiet). Steps are evaluated
        one at a time, never past the answer: a later step may raise AmbiguousScenario."""
        index = self._index(alert)
        states = self._states[index]
        for step in range(after, until + 1):
            state = states[step] if step < len(states) else self._state(index, step)
            if (state is not None) is firing:
                return step
        return None

    def names(self) -> list[str]:
        return list(dict.fromkeys(a.alert for a in self.alerts))

    def expected(self, alertname: str, step: int) -> list[ExpectedAlert]:
        out = []
        for index, alert in enumerate(self.alerts):
            sample = self._state(index, step)
            if alert.alert == alertname and sample is not None:
                out.append(render(alert, sample))
        return sorted(out)

    def transitions(self, alertname: str, until: int) -> list[int]:
        """Steps at which the set of firing alerts with this name differs from the step before."""
        rules = [i for i, a in enumerate(self.alerts) if a.alert == alertname]
        if not rules or until < 1:
            return []
        for step in range(until + 1):  # step by step, all rules at each: the order the alerts are evaluated in
            for i in rules:
                if step >= len(self._states[i]):  # most steps are known already: no call to look them up
                    self._state(i, step)
        firing = list(zip(*([sample is not None for sample in self._states[i][:until + 1]] for i in rules)))
        return [s for s in range(1, until + 1) if firing[s] != firing[s - 1]]


def render(alert: AlertRule, sample: AlertSample) -> ExpectedAlert:
    labels = dict(sample.labels)
    labels.update(dict(alert.labels))  # rule labels win over the expression's
    annotations = {k: expand(v, sample.value, dict(sample.labels)) for k, v in alert.annotations}
    return ExpectedAlert(tuple(sorted(labels.items())), tuple(sorted(annotations.items())))
