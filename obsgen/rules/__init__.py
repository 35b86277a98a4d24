"""Prometheus rules for a journey: recording rules (SLIs, SLO metadata, dashboard series) and alerts."""

from __future__ import annotations

from obsgen.model import Journey
from obsgen.rules.absent import absent_alerts
from obsgen.rules.burn_rate import burn_rate_alerts
from obsgen.rules.dashboard_series import business_rules, stage_rules
from obsgen.rules.dependency_alerts import dependency_alerts
from obsgen.rules.sli import sli_recording_rules
from obsgen.rules.slo_meta import slo_meta_rules
from obsgen.rules.stage_alerts import stage_alerts
from obsgen.rules.types import AlertRule, RecordingRule, RuleGroup

RECORDING_FILE = "recording.rules.yaml"
ALERTING_FILE = "alerts.rules.yaml"


def all_alerts(journey: Journey) -> list[AlertRule]:
    """Every alert of the journey, in a stable order: SLOs, stages, dependencies, absent data."""
    alerts: list[AlertRule] = []
    for slo in journey.slos:
        alerts.extend(burn_rate_alerts(journey, slo))
    alerts.extend(stage_alerts(journey))
    alerts.extend(dependency_alerts(journey))
    alerts.extend(absent_alerts(journey))
    return alerts


def rule_groups(journey: Journey) -> list[RuleGroup]:
    name = journey.name
    sli = [r for slo in journey.slos for r in sli_recording_rules(journey, slo)]
    meta = [r for slo in journey.slos for r in slo_meta_rules(journey, slo)]
    groups = [
        RuleGroup(f"obsgen-{name}-sli", tuple(sli), file=RECORDING_FILE),
        RuleGroup(f"obsgen-{name}-slo-meta", tuple(meta), file=RECORDING_FILE),
        RuleGroup(f"obsgen-{name}-dashboard", tuple(stage_rules(journey) + business_rules(journey)), file=RECORDING_FILE),
        RuleGroup(f"obsgen-{name}-alerts", tuple(all_alerts(journey)), file=ALERTING_FILE),
    ]
    return [g for g in groups if g.rules]


__all__ = ["AlertRule", "RecordingRule", "RuleGroup", "all_alerts", "rule_groups", "RECORDING_FILE", "ALERTING_FILE"]
