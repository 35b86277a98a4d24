"""Prometheus rules for a journey: recording rules (SLIs, SLO metadata, dashboard series) and alerts."""

from __future__ import annotations

from obsgen.artifacts.prometheus.absent import absent_alerts
from obsgen.artifacts.prometheus.budget import budget_alerts
from obsgen.artifacts.prometheus.burn_rate import burn_rate_alerts
from obsgen.artifacts.prometheus.custom_alerts import custom_alerts
from obsgen.artifacts.prometheus.dashboard_series import business_rules, stage_rules
from obsgen.artifacts.prometheus.dependency_alerts import dependency_alerts, shared_dependency_alerts
from obsgen.artifacts.prometheus.period import PERIOD_INTERVAL, period_rules
from obsgen.artifacts.prometheus.recently_down import companion_alerts
from obsgen.artifacts.prometheus.sli import sli_recording_rules
from obsgen.artifacts.prometheus.slo_meta import slo_meta_rules
from obsgen.artifacts.prometheus.stage_alerts import stage_alerts
from obsgen.artifacts.prometheus.types import AlertRule, RecordingRule, RuleGroup
from obsgen.memo import per_object_list
from obsgen.model import Fleet, Journey

RECORDING_FILE = "recording.rules.yaml"
ALERTING_FILE = "alerts.rules.yaml"
SHARED_FILE = "shared-dependencies.rules.yaml"
SHARED_GROUP = "obsgen-shared-dependencies"


@per_object_list
def all_alerts(journey: Journey) -> list[AlertRule]:
    """Every alert that concerns the journey, in a stable order: SLOs, stages, dependencies and their
    recently-down companions, absent data, then the spec's custom alerts. Its shared dependencies' cause alerts are among them (impact
    maps, runbooks and inhibition need them), though the fleet's rule file carries those."""
    return generated_alerts(journey) + custom_alerts(journey)


def generated_alerts(journey: Journey) -> list[AlertRule]:
    """The alerts obsgen derives from the spec (all but the custom ones)."""
    alerts: list[AlertRule] = []
    for slo in journey.slos:
        alerts.extend(burn_rate_alerts(journey, slo))
    for slo in journey.slos:
        alerts.extend(budget_alerts(journey, slo))
    alerts.extend(stage_alerts(journey))
    alerts.extend(dependency_alerts(journey))
    alerts.extend(companion_alerts(journey))
    alerts.extend(absent_alerts(journey))
    return alerts


def generated_alert_names(journey: Journey) -> list[str]:
    """One name per alert obsgen derives, for the uniqueness check: an SLO's page and ticket
    burn-rate rules are one alert told apart by severity, so its name counts once."""
    burn_rate = [name for slo in journey.slos for name in dict.fromkeys(a.alert for a in burn_rate_alerts(journey, slo))]
    budget = [a.alert for slo in journey.slos for a in budget_alerts(journey, slo)]
    others = stage_alerts(journey) + dependency_alerts(journey) + absent_alerts(journey)
    # A companion's page and ticket rules are one alert told apart by the severity they hold back.
    companions = list(dict.fromkeys(a.alert for a in companion_alerts(journey)))
    return burn_rate + budget + [alert.alert for alert in others] + companions


def journey_alerts(journey: Journey) -> list[AlertRule]:
    """The alerts the journey's own rule file carries."""
    return [alert for alert in all_alerts(journey) if not alert.shared]


def fleet_rule_groups(fleet: Fleet) -> list[RuleGroup]:
    """The shared dependencies' cause alerts, once for the whole fleet."""
    return _shared_group(fleet.shared)


def shared_rule_groups(*journeys: Journey) -> list[RuleGroup]:
    """The part of the fleet's shared group that concerns these journeys' dependencies, each shared one once."""
    shared = {dep.shared.name: dep.shared for journey in journeys for dep in journey.dependencies if dep.shared}
    return _shared_group(list(shared.values()))


def _shared_group(shared) -> list[RuleGroup]:
    alerts = tuple(alert for dep in sorted(shared, key=lambda d: d.name) for alert in shared_dependency_alerts(dep))
    return [RuleGroup(SHARED_GROUP, alerts, file=SHARED_FILE)] if alerts else []


@per_object_list
def rule_groups(journey: Journey) -> list[RuleGroup]:
    name = journey.name
    sli = [r for slo in journey.slos for r in sli_recording_rules(journey, slo)]
    period = [r for slo in journey.slos for r in period_rules(journey, slo)]
    meta = [r for slo in journey.slos for r in slo_meta_rules(journey, slo)]
    groups = [
        RuleGroup(f"obsgen-{name}-sli", tuple(sli), file=RECORDING_FILE),
        RuleGroup(f"obsgen-{name}-sli-period", tuple(period), interval=PERIOD_INTERVAL, file=RECORDING_FILE),
        RuleGroup(f"obsgen-{name}-slo-meta", tuple(meta), file=RECORDING_FILE),
        RuleGroup(f"obsgen-{name}-dashboard", tuple(stage_rules(journey) + business_rules(journey)), file=RECORDING_FILE),
        RuleGroup(f"obsgen-{name}-alerts", tuple(journey_alerts(journey)), file=ALERTING_FILE),
    ]
    return [g for g in groups if g.rules]


__all__ = ["AlertRule", "RecordingRule", "RuleGroup", "all_alerts", "generated_alerts", "journey_alerts", "rule_groups",
           "fleet_rule_groups", "shared_rule_groups",
           "RECORDING_FILE", "ALERTING_FILE", "SHARED_FILE", "SHARED_GROUP"]
