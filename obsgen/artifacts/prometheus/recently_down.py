"""A cause's companion: `<Journey><Dependency>RecentlyDown` stays active for a while after the dependency's
down alert resolved, so the symptoms still burning on the outage's errors stay held back in Alertmanager.

Why symptoms outlive their cause: a multi-window burn-rate alert fires while both its windows burn, and
after a full outage its short window holds the outage's errors for up to its own length (the 6x/6h+30m
page keeps paging for about 30 minutes). A stage alert does the same over its one window. `for:` only
delays an alert's start, never its end, so it adds nothing here.

So the companion lasts, per severity, for the longest window whose alert of that severity can still
fire from the outage (the symptoms' short burn windows and stage alert windows), plus the scrape and
evaluation lag (see reset_lag). It is one alert name with one rule per severity
(label `inhibits`), so the ticket variant may outlast the page variant by hours without muting pages.

A queue outlives its dependency's outage too: the work queued while a broker was down (or a consumer
stopped) drains after the restore, in real time, and the stages downstream stay late or failing until it
has — longer than any short window when the backlog is deep. So for a dependency with a queue gauge (a
saturation signal named backlog, e.g. RabbitMQ's rabbitmq_queue_messages_ready or Kafka consumer lag),
or that needs one (a consumer of the broker: what was sent while it was down waits in the broker's queue),
the companion also stays active while the gauge was above its drained level within the period, as long
as the down alert fired within the period plus the gauge's drain limit: symptoms stay held back until
the backlog has drained and their windows have reset, and a queue that never drains mutes them for at
most the drain limit longer.

Trade-off, stated once here and in docs/drills.md: a new, unrelated failure of the same symptom that
starts within the period is held back until the period ends (it pages then, if it still burns: a
delay of at most the period, plus the drain limit while a queue stays above its drained level; never a
loss). Outside the period every symptom pages as before: by then
no window it reads holds the outage's errors, so whatever fires is new.
"""

from __future__ import annotations

from obsgen.artifacts.prometheus.alerts_common import journey_alert
from obsgen.artifacts.prometheus.types import AlertRule
from obsgen.dimensions import aggregate
from obsgen.model import Dependency, Journey, Saturation
from obsgen.promql import format_duration, format_number, string_literal
from obsgen.reach import affected_stages, broken_set, burning_slos

KIND = "dependency-recently-down"
SEVERITY = "none"  # routed to a receiver without integration: it never notifies anyone
INHIBITS = "inhibits"  # label naming the severity of the symptoms a companion rule holds back


# Symptoms no companion holds back: down and absent-data alerts resolve as soon as health and data
# return (whatever fires after is new), and custom alerts read windows obsgen cannot know.
UNHELD_KINDS = ("dependency-down", "absent", "custom")


def held_back(symptoms) -> tuple[str, ...]:
    """The names of the symptoms (impact-map alert references) a companion holds back, in order."""
    return tuple(dict.fromkeys(s.alert for s in symptoms if s.kind not in UNHELD_KINDS))


def reset_windows(journey: Journey, dep: Dependency) -> dict[str, float]:
    """Per severity, the longest window one of the dependency's symptoms reads and keeps firing on after
    the outage: burning SLOs' short windows, affected stages' alert windows. Down and absent-data
    symptoms resolve as soon as health and data return, so they add no window."""
    stages = affected_stages(journey, dep.name, broken_set(journey, dep.name))
    slos = {s.name for s in burning_slos(journey, stages)}
    windows: dict[str, float] = {}

    def keep(severity: str, seconds: float) -> None:
        windows[severity] = max(windows.get(severity, 0.0), seconds)

    for slo in (s for s in journey.slos if s.name in slos and s.alerting):
        for burn in slo.burn_rates:
            keep(burn.severity, burn.short)
    for stage in (journey.stage(s.name) for s in stages):
        for alert in (stage.error_rate_alert, stage.latency_alert, stage.failures_alert):
            if alert is not None:
                keep(alert.severity, alert.window)
    return dict(sorted(windows.items()))


def reset_lag(journey: Journey) -> float:
    """The last error sample reaches the short window up to one scrape after the down alert's last firing
    evaluation, and the recording rule, then the alert, read it up to one evaluation later each."""
    return journey.scrape_interval + 2 * journey.evaluation_interval


def reset_periods(journey: Journey, dep: Dependency) -> dict[str, float]:
    """How long the companion of each severity stays active after the down alert's last firing evaluation."""
    lag = reset_lag(journey)
    return {severity: window + lag for severity, window in reset_windows(journey, dep).items()}


def cause_was_firing(journey: Journey, dep: Dependency, period: float) -> str:
    """1 while the down alert fired at an evaluation within the period, per dimension value."""
    return _alerts_series(journey, dep, dep.down_alert_name, period)


def _queue(dep: Dependency) -> Saturation | None:
    return next((s for s in dep.saturations if s.is_queue), None)


def queue_owner(journey: Journey, dep: Dependency) -> Dependency | None:
    """The dependency whose queue gauge drains after dep's outage: dep's own, or else that of a dependency
    it needs (a consumer's broker: the work sent while the consumer was down waits in the broker's queue)."""
    needed = tuple(journey.dependency(name) for name in dep.depends_on)
    return next((d for d in (dep,) + needed if _queue(d) is not None), None)


def backlog(journey: Journey, dep: Dependency) -> Saturation | None:
    """The queue gauge whose drain after dep's outage keeps its companion active; None without one."""
    owner = queue_owner(journey, dep)
    return None if owner is None else _queue(owner)


def _alerts_series(journey: Journey, dep: Dependency, name: str, window: float, **labels: str) -> str:
    """1 while the alert fired at an evaluation within the window (its ALERTS series), per dimension value;
    a shared cause has neither a journey label nor dimensions."""
    matchers = [f"alertname={string_literal(name)}", 'alertstate="firing"']
    dims = () if dep.shared else journey.dims
    if not dep.shared or labels:
        matchers.append(f"journey={string_literal(journey.name)}")
    matchers += [f"{key}={string_literal(value)}" for key, value in labels.items()]
    selector = "ALERTS{" + ", ".join(matchers) + "}"
    return aggregate("max", dims, f"max_over_time({selector}[{format_duration(window)}])")


def backlog_draining(journey: Journey, dep: Dependency, queue: Saturation, period: float, severity: str) -> str:
    """1 (per dimension value) while the companion was active at the evaluation before, the queue was above
    its drained level within the period and the down alert fired within the period plus the drain limit:
    the period starts again when the backlog has drained. Reading its own last evaluation (1.5 intervals
    back: that one sample in either Prometheus generation's range) keeps a companion that has ended from
    starting again on a later, unrelated backlog."""
    was_active = _alerts_series(journey, dep, dep.recently_down_alert_name, 1.5 * journey.evaluation_interval,
                                inhibits=severity)
    recent = cause_was_firing(journey, dep, period + queue.drain_limit)
    deepest = f"max(max_over_time({queue.selector.promql()}[{format_duration(period)}]))"
    return f"{was_active} and {recent} and on () ({deepest} > {format_number(queue.drained)})"


def companion_expr(journey: Journey, dep: Dependency, period: float, severity: str) -> str:
    queue = backlog(journey, dep)
    timed = cause_was_firing(journey, dep, period)
    return timed if queue is None else f"{timed} or ({backlog_draining(journey, dep, queue, period, severity)})"


def _description(journey: Journey, dep: Dependency, severity: str, shown: str) -> str:
    queue = backlog(journey, dep)
    drain = "" if queue is None else (
        f" (or within {format_duration(queue.drain_limit)} more, and since then {queue.shown()} has not stayed at "
        f"or below {format_number(queue.drained)} for that long: the work queued during the outage still drains)")
    return (f"{dep.down_alert_name} fired within the last {shown}{drain}: its {severity} symptoms may still burn "
            f"on the outage's errors until their windows reset, so they stay held back. Never notifies.")


def recently_down_alerts(journey: Journey, dep: Dependency) -> list[AlertRule]:
    alerts = []
    for severity, period in reset_periods(journey, dep).items():
        shown = format_duration(period)
        alerts.append(journey_alert(
            journey, name=dep.recently_down_alert_name, hold=0, severity=SEVERITY, kind=KIND,
            stages=dep.stages, dependency=dep.name, per_dimension=not dep.shared, inhibits=severity,
            expr=companion_expr(journey, dep, period, severity),
            summary=f"{dep.title} was down within the last {shown}",
            description=_description(journey, dep, severity, shown),
        ))
    return alerts


def companion_alerts(journey: Journey) -> list[AlertRule]:
    """Every dependency's companion, in spec order."""
    return [alert for dep in journey.dependencies for alert in recently_down_alerts(journey, dep)]
