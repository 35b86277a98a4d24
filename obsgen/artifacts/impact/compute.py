"""What breaks when a dependency fails: pure functions over the model and its alerts.

The rules, kept simple enough to check by hand:

* **Dependencies.** If A ``dependsOn`` B, B failing takes A down too, and everything A takes down.
  A dependency's *broken set* is itself plus every dependency that needs it, directly or through
  others (the resolver has already rejected cycles).
* **Stages.** Every stage that a dependency of the broken set lists under ``stages``.
* **Features.** The affected stages' features, then the extra ``features`` of the broken set.
* **SLOs.** An SLO over stages burns when one of its stages is affected. A journey-time SLO
  measures completed journeys: when a user-facing stage fails the journey never starts (that
  shows in the stage's own SLOs), but when a background stage is down, work queued for it
  finishes late, or never. So it burns when an affected stage is at or after the journey's first
  background (non-HTTP) stage; in a journey with no background stage, when any stage is affected.
* **Alerts.** The *cause* is the failed dependency's down alert. *Symptoms* are the alerts that
  fire because of it: error-rate and latency alerts of affected stages, burn-rate alerts of
  burning SLOs, absent-data alerts of affected stages (and of the journey-time histogram when
  that SLO burns: a stopped worker stops reporting it), and the down alerts of the other
  dependencies in the broken set. Backlog (saturation) alerts are never symptoms: a queue that
  grows is a problem of its own, and a broker that is down reports no backlog at all.
* **Business metrics.** Metrics whose ``stage`` is affected stop growing.

The graph, stage and SLO rules need no alert and live in obsgen.reach (the rules read them too).
"""

from __future__ import annotations

from dataclasses import dataclass

from obsgen.artifacts.prometheus import AlertRule, all_alerts
from obsgen.memo import per_object
from obsgen.model import Dependency, Journey, SloType
from obsgen.reach import AffectedStage, BurningSlo, affected_stages, broken_set, burning_slos


@dataclass(frozen=True)
class AlertRef:
    """One alert name; page and ticket variants of a burn-rate alert share it."""

    alert: str
    kind: str
    severities: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class DroppingMetric:
    name: str
    title: str
    stage: str


@dataclass(frozen=True)
class DependencyImpact:
    dependency: str
    title: str
    kind: str
    depends_on: tuple[str, ...]
    also_down: tuple[str, ...]  # dependencies that fail with it, in spec order
    stages: tuple[AffectedStage, ...]
    features: tuple[str, ...]
    slos: tuple[BurningSlo, ...]
    cause: AlertRef
    symptoms: tuple[AlertRef, ...]
    business: tuple[DroppingMetric, ...]

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.stages)

    @property
    def symptom_alert_names(self) -> tuple[str, ...]:
        return tuple(a.alert for a in self.symptoms)


@dataclass(frozen=True)
class ImpactMap:
    journey: str
    title: str
    impacts: tuple[DependencyImpact, ...]  # one per dependency, in spec order

    def of(self, dependency: str) -> DependencyImpact:
        return next(i for i in self.impacts if i.dependency == dependency)

    def causes_of(self, alert: str) -> tuple[DependencyImpact, ...]:
        """Every dependency whose failure makes this alert fire as a symptom."""
        return tuple(i for i in self.impacts if alert in i.symptom_alert_names)


def affected_features(journey: Journey, stages: tuple[AffectedStage, ...], broken: tuple[str, ...]) -> tuple[str, ...]:
    features = [s.feature for s in stages]
    features += [f for name in broken for f in journey.dependency(name).features]
    return tuple(dict.fromkeys(features))


def dropping_metrics(journey: Journey, stages: tuple[AffectedStage, ...]) -> tuple[DroppingMetric, ...]:
    affected = {s.name for s in stages}
    return tuple(DroppingMetric(m.name, m.title, m.stage) for m in journey.business
                 if m.stage is not None and m.stage in affected)


# -- alerts ------------------------------------------------------------------------------


def _symptom_reason(alert: AlertRule, failed: str, affected: set[str], burning: set[str],
                    broken: tuple[str, ...], journey_time_burns: bool) -> str | None:
    kind = alert.kind
    if kind == "custom" and alert.dependency and (alert.dependency == failed or alert.dependency in broken):
        return f"concerns {alert.dependency}"
    if kind in ("error-rate", "latency", "absent", "failures", "custom") and alert.stages:
        hit = [s for s in alert.stages if s in affected]
        return f"stage {', '.join(hit)}" if hit else None
    if kind == "absent":  # the journey-time histogram's absent alert has no stage
        return "journey-time data stops" if journey_time_burns else None
    if kind.startswith("burn-rate"):
        return f"SLO {alert.slo}" if alert.slo in burning else None
    if kind == "dependency-down" and alert.dependency != failed and alert.dependency in broken:
        return f"{alert.dependency} needs {failed}"
    return None


def _merge_refs(refs: list[AlertRef]) -> tuple[AlertRef, ...]:
    """One entry per alert name, severities merged, in first-seen order."""
    merged: dict[str, AlertRef] = {}
    for ref in refs:
        known = merged.get(ref.alert)
        if known is None:
            merged[ref.alert] = ref
        else:
            severities = tuple(dict.fromkeys(known.severities + ref.severities))
            merged[ref.alert] = AlertRef(ref.alert, known.kind, severities, known.reason)
    return tuple(merged.values())


def _ref(alert: AlertRule, reason: str) -> AlertRef:
    kind = "burn-rate" if alert.kind.startswith("burn-rate") else alert.kind
    return AlertRef(alert.alert, kind, (alert.severity,), reason)


def alerts_for(journey: Journey, alerts: list[AlertRule], dep: Dependency, broken: tuple[str, ...],
               stages: tuple[AffectedStage, ...], slos: tuple[BurningSlo, ...]) -> tuple[AlertRef, tuple[AlertRef, ...]]:
    affected = {s.name for s in stages}
    burning = {s.name for s in slos}
    journey_time_burns = any(s.type == SloType.JOURNEY_TIME for s in slos)
    cause = next(a for a in alerts if a.kind == "dependency-down" and a.dependency == dep.name)
    symptoms = []
    for alert in alerts:
        reason = _symptom_reason(alert, dep.name, affected, burning, broken, journey_time_burns)
        if reason:
            symptoms.append(_ref(alert, reason))
    return _ref(cause, f"{dep.title} reports no healthy instance"), _merge_refs(symptoms)


# -- the map -----------------------------------------------------------------------------


def dependency_impact(journey: Journey, dep: Dependency, alerts: list[AlertRule]) -> DependencyImpact:
    broken = broken_set(journey, dep.name)
    stages = affected_stages(journey, dep.name, broken)
    slos = burning_slos(journey, stages)
    cause, symptoms = alerts_for(journey, alerts, dep, broken, stages, slos)
    return DependencyImpact(
        dependency=dep.name,
        title=dep.title,
        kind=dep.kind,
        depends_on=dep.depends_on,
        also_down=tuple(name for name in broken if name != dep.name),
        stages=stages,
        features=affected_features(journey, stages, broken),
        slos=slos,
        cause=cause,
        symptoms=symptoms,
        business=dropping_metrics(journey, stages),
    )


@per_object
def impact_map(journey: Journey) -> ImpactMap:
    alerts = all_alerts(journey)
    return ImpactMap(journey.name, journey.title,
                     tuple(dependency_impact(journey, dep, alerts) for dep in journey.dependencies))
