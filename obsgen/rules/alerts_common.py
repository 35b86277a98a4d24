"""Labels and annotations every generated alert carries."""

from __future__ import annotations

from obsgen.model import Journey


def alert_labels(journey: Journey, severity: str, **context: str) -> tuple[tuple[str, str], ...]:
    labels = dict(journey.labels)
    labels.update({"severity": severity, "journey": journey.name, "team": journey.team})
    labels.update({k: v for k, v in context.items() if v})
    return tuple(sorted(labels.items()))


def alert_annotations(journey: Journey, alert: str, summary: str, description: str,
                      **dashboard_vars: str) -> tuple[tuple[str, str], ...]:
    return (
        ("summary", summary),
        ("description", description),
        ("runbook_url", journey.runbook_url(alert)),
        ("dashboard_url", journey.dashboard_url(**dashboard_vars)),
    )
