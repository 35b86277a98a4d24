"""How every generated alert is put together: labels, annotations and links."""

from __future__ import annotations

import re

from obsgen.artifacts.prometheus.types import AlertRule
from obsgen.dimensions import summary_suffix
from obsgen.model import Journey, SharedDependency
from obsgen.promql import format_duration

_TEMPLATE_DELIMITERS = re.compile(r"\{\{|\}\}")


def template_literal(text: str) -> str:
    """Text shown as written inside an alert template: Prometheus expands `{{ ... }}` in annotations
    at alert time, so delimiters that come from the spec (a label value in a selector) are printed by
    the template instead ({{ "{{" }}), never evaluated."""
    return _TEMPLATE_DELIMITERS.sub(lambda m: '{{ "' + m.group(0) + '" }}', text)


def alert_labels(journey: Journey, severity: str, **context: str) -> tuple[tuple[str, str], ...]:
    labels = dict(journey.labels)
    labels.update({"severity": severity, "journey": journey.name, "team": journey.team})
    labels.update({k: v for k, v in context.items() if v})
    return tuple(sorted(labels.items()))


def journey_alert(journey: Journey, *, name: str, expr: str, hold: float, severity: str, summary: str,
                  description: str, kind: str, stages: tuple[str, ...] = (), stage: str = "",
                  slo: str = "", dependency: str = "", per_dimension: bool = True, inhibits: str = "") -> AlertRule:
    """An alert with the journey's labels; its stage/slo/dependency become labels and dashboard variables.
    per_dimension: the expression keeps the journey's dimensions, so the summary can name their values.
    inhibits: a companion's label naming the severity of the symptoms it holds back."""
    context = {"stage": stage, "slo": slo, "dependency": dependency}
    # The dashboard opens on the alert's own dimension values ($cluster); label names are checked.
    focus = {d: f"{{{{ $labels.{d} }}}}" for d in journey.dims} if per_dimension else {}
    if per_dimension:
        summary += summary_suffix(journey.dims)
    return AlertRule(
        alert=name,
        expr=expr,
        for_=format_duration(hold),
        labels=alert_labels(journey, severity, **context, inhibits=inhibits),
        annotations=(
            ("summary", summary),
            ("description", description),
            ("runbook_url", journey.runbook_url(name)),
            ("dashboard_url", journey.dashboard_url(**context, **focus)),
        ),
        kind=kind,
        stages=stages,
        slo=slo or None,
        dependency=dependency or None,
    )


def shared_alert(dep: SharedDependency, *, name: str, expr: str, hold: float, severity: str, summary: str,
                 description: str, kind: str, stages: tuple[str, ...] = (), dependency: str = "") -> AlertRule:
    """A shared dependency's alert: one for every journey that needs it, so it carries no journey or
    team label; its links lead to the index dashboard and the runbook section of its first user."""
    return AlertRule(
        alert=name,
        expr=expr,
        for_=format_duration(hold),
        labels=tuple(sorted({"severity": severity, "dependency": dependency}.items())),
        annotations=(
            ("summary", summary),
            ("description", description),
            ("runbook_url", dep.runbook_url(name)),
            ("dashboard_url", dep.dashboard_url),
        ),
        kind=kind,
        stages=stages,
        dependency=dependency or None,
        shared=True,
    )
