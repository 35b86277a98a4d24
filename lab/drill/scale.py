"""Drill time: the journey's alert windows and `for` durations divided by a factor, so a failure
that pages after an hour in production pages within a minute in a drill.

The scaled rules come from the same builders as the real ones, fed a journey whose windows are
scaled (so recorded series are named after the windows they really use), and every alert's `for`
is scaled afterwards, as is a group's own evaluation interval. Windows never go below `min_window`
(rates need several scrapes), and a `for` or group interval never below one evaluation interval. The
journey's scrape and evaluation intervals become the stack's, so what derives from windows and intervals together (a RecentlyDown companion's period:
its symptoms' longest short window plus the scrape and evaluation lag) is at drill scale too, and
resolution is judged at the same scale as firing. A queue's drain limit is not scaled: the work
queued during the outage drains in real time after the restore (the worker does not speed up), and
the limit only bounds how long that may take. The copy goes into the stack's state directory,
never into generated/.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from lab.stack.services.daemons import GENERATED_ALERTMANAGER_CONFIG
from obsgen.artifacts.alertmanager.config import FLEET_NOTES, NOTES, render_config
from obsgen.artifacts.layout import FLEET_DIR
from obsgen.artifacts.prometheus import AlertRule, budget, rule_groups, shared_rule_groups
from obsgen.artifacts.prometheus.emit import rule_file_artifacts
from obsgen.artifacts.prometheus.recently_down import reset_periods
from obsgen.artifacts.prometheus.types import RuleGroup
from obsgen.errors import ObsgenError
from obsgen.model import BurnRate, Journey
from obsgen.promql import format_duration, parse_duration
from obsgen.tools import promtool

DEFAULT_FACTOR = 60.0
MIN_SCRAPES_PER_WINDOW = 4


@dataclass(frozen=True)
class DrillScale:
    factor: float
    evaluation_interval: float  # the stack's scrape/evaluation interval

    @property
    def min_window(self) -> float:
        return MIN_SCRAPES_PER_WINDOW * self.evaluation_interval

    def window(self, seconds: float) -> float:
        return max(self.min_window, float(round(seconds / self.factor)))

    def hold(self, seconds: float) -> float:
        if seconds <= 0:
            return 0.0
        return max(self.evaluation_interval, float(round(seconds / self.factor)))

    def describe(self) -> str:
        return (f"alert windows and `for` durations divided by {self.factor:g} (windows at least "
                f"{format_duration(self.min_window)}, `for` at least {format_duration(self.evaluation_interval)})")


def scale_journey(journey: Journey, scale: DrillScale) -> Journey:
    """The journey with every alert window scaled (alert `for` durations are scaled per rule)."""
    stages = tuple(dataclasses.replace(
        stage,
        error_rate_alert=stage.error_rate_alert and dataclasses.replace(
            stage.error_rate_alert, window=scale.window(stage.error_rate_alert.window)),
        latency_alert=stage.latency_alert and dataclasses.replace(
            stage.latency_alert, window=scale.window(stage.latency_alert.window)),
        failures_alert=stage.failures_alert and dataclasses.replace(
            stage.failures_alert, window=scale.window(stage.failures_alert.window)),
    ) for stage in journey.stages)
    slos = tuple(dataclasses.replace(
        slo,
        window=scale.window(slo.window),
        burn_rates=tuple(_scaled_burn_rate(b, scale) for b in slo.burn_rates),
    ) for slo in journey.slos)
    dependencies = tuple(dataclasses.replace(
        dep,
        health=_scaled_health(dep.health, scale),
        saturations=_scaled_saturations(dep.saturations, scale),
        shared=dep.shared and dataclasses.replace(dep.shared, health=_scaled_health(dep.shared.health, scale),
                                                  saturations=_scaled_saturations(dep.shared.saturations, scale)),
    ) for dep in journey.dependencies)
    return dataclasses.replace(journey, stages=stages, slos=slos, dependencies=dependencies,
                               scrape_interval=scale.evaluation_interval, evaluation_interval=scale.evaluation_interval)


def _scaled_burn_rate(burn: BurnRate, scale: DrillScale) -> BurnRate:
    """Windows scaled; the low-traffic guard too, since the same traffic puts fewer events in a shorter window."""
    short = scale.window(burn.short)
    guard = math.ceil(burn.min_events * short / burn.short) if burn.min_events else 0
    return dataclasses.replace(burn, long=scale.window(burn.long), short=short, min_events=guard)


def _scaled_health(health, scale: DrillScale):
    return dataclasses.replace(health, heartbeat=health.heartbeat and scale.window(health.heartbeat))


def _scaled_saturations(saturations, scale: DrillScale):
    return tuple(dataclasses.replace(
        saturation,
        predict_range=saturation.predict_range and scale.window(saturation.predict_range),
        predict_ahead=saturation.predict_ahead and scale.window(saturation.predict_ahead),
    ) for saturation in saturations)


# Budget-policy alerts say where the SLO window stands, not that an incident is on: scaled to a drill (30 days
# become an hour at 720x), one drill spends the whole scaled budget and they would keep firing for the rest of
# that hour, so the next drill could never start from a quiet journey. A drill holds incident alerts only.
BUDGET_POLICY_KINDS = (budget.EXHAUSTED, budget.FORECAST)


def drilled_rule_groups(journey: Journey, *, shared: bool = True) -> list[RuleGroup]:
    """The journey's rule groups and, when it shares dependencies (unless `shared` is off), their alerts from
    the fleet's file: a drill of a shared dependency must see its down alert fire. Without budget-policy alerts."""
    return _incident_only(rule_groups(journey) + (shared_rule_groups(journey) if shared else []))


def _incident_only(groups: list[RuleGroup]) -> list[RuleGroup]:
    drilled = []
    for group in groups:
        rules = tuple(r for r in group.rules if not (isinstance(r, AlertRule) and r.kind in BUDGET_POLICY_KINDS))
        if rules:
            drilled.append(dataclasses.replace(group, rules=rules))
    return drilled


def _scaled_alert(rule: AlertRule, scale: DrillScale) -> AlertRule:
    return dataclasses.replace(rule, for_=format_duration(scale.hold(parse_duration(rule.for_))))


def _scaled_interval(interval: str | None, scale: DrillScale) -> str | None:
    """A group's own evaluation interval (the SLO-window group's 2m30s) scaled like a `for`: at drill scale
    it would lag the 5s stack by minutes, and the drill waits for every group's first evaluation."""
    return interval and format_duration(scale.hold(parse_duration(interval)))


def scaled_rule_groups(journey: Journey, scale: DrillScale, *, shared: bool = True) -> list[RuleGroup]:
    return _scaled_groups(drilled_rule_groups(scale_journey(journey, scale), shared=shared), scale)


def scaled_shared_groups(journeys: Sequence[Journey], scale: DrillScale) -> list[RuleGroup]:
    """The alerts of every dependency these journeys share, once: a fleet drill loads them beside the journeys."""
    return _scaled_groups(_incident_only(shared_rule_groups(*(scale_journey(j, scale) for j in journeys))), scale)


def _scaled_groups(groups: list[RuleGroup], scale: DrillScale) -> list[RuleGroup]:
    scaled = []
    for group in groups:
        rules = tuple(_scaled_alert(r, scale) if isinstance(r, AlertRule) else r for r in group.rules)
        scaled.append(dataclasses.replace(group, rules=rules, interval=_scaled_interval(group.interval, scale)))
    return scaled


def longest_reset_window(journey: Journey, scale: DrillScale) -> float:
    """The longest scaled time an alert may stay active once its inputs are healthy again: a multi-window
    burn alert resets on its short windows, a stage alert on its one window, and a RecentlyDown
    companion lasts its symptoms' longest window plus the scrape and evaluation lag."""
    scaled = scale_journey(journey, scale)
    windows = [b.short for slo in scaled.slos for b in slo.burn_rates]
    for stage in scaled.stages:
        windows += [a.window for a in (stage.error_rate_alert, stage.latency_alert, stage.failures_alert)
                    if a is not None]
    windows += [period for dep in scaled.dependencies for period in reset_periods(scaled, dep).values()]
    return max(windows, default=scale.min_window)


@dataclass(frozen=True)
class ScaledAlert:
    alert: str
    severity: str
    hold: str  # scaled `for`
    original_hold: str


def scaled_alerts(journey: Journey, scale: DrillScale) -> list[ScaledAlert]:
    """Each alert's `for`, before and after scaling (for the drill's report)."""
    original = [r for g in drilled_rule_groups(journey) for r in g.rules if isinstance(r, AlertRule)]
    scaled = [r for g in scaled_rule_groups(journey, scale) for r in g.rules if isinstance(r, AlertRule)]
    return [ScaledAlert(s.alert, s.severity, s.for_, o.for_) for o, s in zip(original, scaled)]


class DrillRulesInvalid(ObsgenError):
    pass


def write_drill_copy(journeys: Sequence[Journey], scale: DrillScale, generated_dir: Path) -> list[Path]:
    """A generated/-shaped tree for the stack: scaled rule files, and the unscaled Alertmanager
    config (inhibition is what the drill checks, and it has no durations that decide it). One journey
    carries its shared alerts in its own directory; a fleet drill's journeys share one copy in _fleet/,
    as the fleet's build does, so a shared down alert is evaluated (and notifies) once."""
    source = ", ".join(j.source for j in journeys)
    note = f"{source} (DRILL COPY: {scale.describe()})"
    single = len(journeys) == 1
    placed = [(journey.name, scaled_rule_groups(journey, scale, shared=single)) for journey in journeys]
    if not single:
        placed.append((FLEET_DIR, scaled_shared_groups(journeys, scale)))
    written = []
    for directory, groups in placed:
        for artifact in rule_file_artifacts(groups, note):
            path = generated_dir / directory / artifact.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(artifact.content)
            written.append(path)
    problems = promtool.check_rules(written)
    if problems:
        raise DrillRulesInvalid("the scaled rules do not pass promtool: " + "; ".join(p.message for p in problems))
    config = generated_dir / GENERATED_ALERTMANAGER_CONFIG
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(render_config(list(journeys), source, NOTES if single else FLEET_NOTES))
    return written + [config]
