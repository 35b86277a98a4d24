"""The impact map as plain data, for YAML and JSON (keys in reading order; JSON sorts them)."""

from __future__ import annotations

from obsgen.artifacts.impact.compute import AlertRef, DependencyImpact, ImpactMap

HOW_TO_READ = [
    "One entry per dependency: what fails when it fails.",
    "also_down: dependencies that need it (dependsOn, transitively) and fail with it.",
    "stages[].via: the failed dependencies that stage uses directly.",
    "alerts.cause pages; alerts.symptoms fire because of it and are inhibited in Alertmanager while it fires.",
    "A journey-time SLO burns when a background stage (or one after it) is affected: queued work finishes late.",
]


def _alert(ref: AlertRef) -> dict:
    return {"alert": ref.alert, "kind": ref.kind, "severities": list(ref.severities), "reason": ref.reason}


def impact_data(impact: DependencyImpact) -> dict:
    return {
        "title": impact.title,
        "kind": impact.kind,
        "depends_on": list(impact.depends_on),
        "also_down": list(impact.also_down),
        "stages": [{"name": s.name, "title": s.title, "feature": s.feature, "direct": s.direct, "via": list(s.via)}
                   for s in impact.stages],
        "features": list(impact.features),
        "slos": [{"name": s.name, "title": s.title, "type": s.type, "reason": s.reason} for s in impact.slos],
        "alerts": {"cause": _alert(impact.cause), "symptoms": [_alert(a) for a in impact.symptoms]},
        "business_metrics": [{"name": m.name, "title": m.title, "stage": m.stage} for m in impact.business],
    }


def map_data(impacts: ImpactMap, only: str | None = None) -> dict:
    """The whole map, or one dependency's entry when only is given."""
    chosen = [i for i in impacts.impacts if only is None or i.dependency == only]
    return {
        "journey": impacts.journey,
        "title": impacts.title,
        "dependencies": {i.dependency: impact_data(i) for i in chosen},
    }


def feature_map(impacts: ImpactMap) -> dict[str, list[str]]:
    """The seed's shape: dependency -> affected features."""
    return {i.dependency: list(i.features) for i in impacts.impacts}
