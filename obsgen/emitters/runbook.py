"""One Markdown runbook per journey, one section per alert, where every `runbook_url` points.

`journey.runbook_url(alert)` ends in `#<alert name lower-cased>`. GitHub derives a heading's
anchor by lower-casing it, dropping punctuation other than '-' and '_', and turning spaces into
'-'; an alert name ([A-Z][A-Za-z0-9]*) is therefore its own anchor when it is the whole heading.
Every other heading here contains a space, so its anchor has a '-' and can never take an alert's.
"""

from __future__ import annotations

import re

from obsgen.dashboards.rows import dependencies, errors, flow, journey_time, slos, traces
from obsgen.emitters import Artifact
from obsgen.impact.checks import jaeger_search, log_commands, stage_clues
from obsgen.impact.compute import DependencyImpact, ImpactMap, impact_map, journey_time_stages
from obsgen.impact.graph import build_graph
from obsgen.impact.mermaid import mermaid
from obsgen.model import Journey
from obsgen.render import header_lines
from obsgen.rules import AlertRule, all_alerts

RUNBOOK_DIR = "runbook"

_MEANING = {
    "burn-rate": ("The SLO is spending its error budget faster than it can afford: at this rate the budget "
                  "runs out before the SLO window ends. The page variant burns fast (hours to exhaustion), "
                  "the ticket variant slowly (days)."),
    "error-rate": "Too many of the stage's events fail right now (the seed's critical alert).",
    "latency": "The stage is slow for many users right now (the seed's critical alert).",
    "dependency-down": "A dependency reports no healthy instance: this is a cause, and it pages.",
    "saturation": ("The dependency's backlog is above its limit: consumers are not keeping up. This is a cause "
                   "of its own and is never inhibited."),
    "saturation-predicted": ("At the current trend the backlog will pass its limit soon: act before users notice. "
                             "Never inhibited."),
    "failures": ("The job failed more often within the window than allowed: a count, not a ratio, because a "
                 "batch job runs too rarely for a ratio to mean much. It keeps firing until the failures leave the "
                 "window, so check the job's last runs rather than waiting for it to resolve."),
    "custom": "An alert written by the journey's team in raw PromQL (spec.alerts); its own notes follow.",
    "absent": ("The series an SLO is computed from has disappeared, so the SLO's alerts are blind: the "
               "instrumentation, the scrape target or the metric name changed."),
}


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading (before de-duplication with -1, -2...)."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _kind(alert: AlertRule) -> str:
    return "burn-rate" if alert.kind.startswith("burn-rate") else alert.kind


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()<>#|!~])")


def markdown_text(text: str) -> str:
    """Spec text shown as text: Markdown and HTML have no effect in it."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _by_name(alerts: list[AlertRule]) -> dict[str, list[AlertRule]]:
    grouped: dict[str, list[AlertRule]] = {}
    for alert in alerts:
        grouped.setdefault(alert.alert, []).append(alert)
    return grouped


def _link(name: str) -> str:
    return f"[{name}](#{github_anchor(name)})"


def _severity_line(variants: list[AlertRule]) -> str:
    parts = [f"**{a.severity}** after {a.for_} ({dict(a.annotations)['summary']})" for a in variants]
    return "; ".join(parts)


# -- impact --------------------------------------------------------------------------------


def _cause_impact(impact: DependencyImpact) -> list[str]:
    lines = [f"- Stages down: {', '.join(f'{s.title} (`{s.name}`)' for s in impact.stages) or 'none'}",
             f"- Features down: {', '.join(f'`{f}`' for f in impact.features) or 'none'}"]
    if impact.also_down:
        lines.append(f"- Dependencies that fail with it: {', '.join(f'`{d}`' for d in impact.also_down)}")
    lines.append(f"- SLOs that burn: {', '.join(f'{s.title} (`{s.name}`)' for s in impact.slos) or 'none'}")
    lines.append(f"- Business metrics that drop: {', '.join(f'`{m.name}`' for m in impact.business) or 'none'}")
    if impact.symptoms:
        lines.append("- Held back (inhibited) while this alert fires, because they are its symptoms: "
                     + ", ".join(_link(a.alert) for a in impact.symptoms))
    return lines


def _symptom_impact(journey: Journey, impacts: ImpactMap, alert: AlertRule) -> list[str]:
    stages = [journey.stage(s) for s in alert.stages]
    lines = []
    if stages:
        lines.append(f"- Stages: {', '.join(f'{s.title} (`{s.name}`, feature `{s.feature}`)' for s in stages)}")
        metrics = [m.name for m in journey.business if m.stage in alert.stages]
        lines.append(f"- Business metrics that drop with it: {', '.join(f'`{m}`' for m in metrics) or 'none'}")
    causes = impacts.causes_of(alert.alert)
    if causes:
        lines.append("- Possible causes (while one of them fires, this alert is inhibited; work from the cause): "
                     + ", ".join(f"{_link(i.cause.alert)} ({i.title})" for i in causes))
    elif _kind(alert) not in ("saturation", "saturation-predicted"):
        lines.append("- No dependency in the map explains it: look at the stage itself (a deploy, bad input, load).")
    return lines


# -- first checks --------------------------------------------------------------------------


def _dashboard_rows(journey: Journey, alert: AlertRule) -> list[str]:
    """The titles of the dashboard rows that show this alert's subject, as the dashboard names them."""
    kind = _kind(alert)
    if kind == "burn-rate":
        slo_type = next(s.type for s in journey.slos if s.name == alert.slo)
        keys = {"availability": [slos, errors], "query": [slos, errors], "latency": [slos, journey_time],
                "journey-time": [slos, journey_time]}.get(slo_type, [slos])
    else:
        keys = {"error-rate": [errors, flow], "failures": [errors, flow], "latency": [journey_time], "absent": [flow],
                "custom": [flow] if alert.stages else [dependencies] if alert.dependency else [slos]
                }.get(kind, [dependencies])
    return [row.section(journey).title for row in keys]


def _dashboard_link(journey: Journey, alert: AlertRule) -> str:
    focus = ({"dependency": alert.dependency} if alert.dependency else {"slo": alert.slo} if alert.slo
             else {"stage": alert.stages[0]} if len(alert.stages) == 1 else {})
    return journey.dashboard_url(**focus)


def _stage_checks(journey: Journey, stage_names: tuple[str, ...], step: str) -> list[str]:
    lines = []
    for name in stage_names:
        stage = journey.stage(name)
        clues = stage_clues(journey, stage)
        if step == "logs":
            errors_of_stage, by_correlation_id = log_commands(clues)
            lines.append(f"   - {stage.title}: `{errors_of_stage}`; one user's request: `{by_correlation_id}`")
        else:
            lines.append(f"   - {stage.title}: service `{clues.service}`, operation `{clues.operation}`: "
                         f"[error traces]({jaeger_search(journey, clues, error='true')}), "
                         f"[one request by correlation id]"
                         f"({jaeger_search(journey, clues, correlation_id='<correlation-id>')})")
    return lines


def _dependency_checks(journey: Journey, names: list[str]) -> list[str]:
    lines = []
    for name in names:
        dep = journey.dependency(name)
        lines.append(f"- {dep.title} health: `{dep.health.promql()}` should be 1 "
                     f"(down alert: {_link(dep.down_alert_name)}).")
    return lines


def _related_dependencies(journey: Journey, stage_names: tuple[str, ...], alert: AlertRule) -> list[str]:
    if alert.dependency:  # itself, what it needs, and what needs it (a backlog's consumers)
        needs = list(journey.dependency(alert.dependency).depends_on)
        needed_by = [d.name for d in journey.dependencies if alert.dependency in d.depends_on]
        return list(dict.fromkeys([alert.dependency, *needs, *needed_by]))
    return [d.name for d in journey.dependencies if set(d.stages) & set(stage_names)]


def _first_checks(journey: Journey, alert: AlertRule) -> list[str]:
    """The seed's debugging workflow: dashboard, logs, traces, dependencies."""
    stage_names = alert.stages
    journey_time_slo = alert.slo and next(s.type for s in journey.slos if s.name == alert.slo) == "journey-time"
    if not stage_names and (journey_time_slo or alert.kind == "absent"):
        # Journey time: the background stages decide it (they run last and report it).
        stage_names = journey_time_stages(journey)
    titles = _dashboard_rows(journey, alert)
    rows = ("rows " if len(titles) > 1 else "row ") + " and ".join(f"*{title}*" for title in titles)
    lines = [f"1. Dashboard: [{journey.title}, focused on this alert]({_dashboard_link(journey, alert)}), "
             f"{rows}: which stage has issues, and since when."]
    if stage_names:
        lines.append("2. Logs (JSON lines; `correlation_id` comes from the `X-Correlation-ID` response header):")
        lines += _stage_checks(journey, stage_names, "logs")
        lines.append(f"3. Traces in Jaeger (or the dashboard's *{traces.section(journey).title}* row "
                     "with its `correlation_id` variable):")
        lines += _stage_checks(journey, stage_names, "traces")
    deps = _related_dependencies(journey, stage_names, alert)
    if deps:
        lines.append(f"{4 if stage_names else 2}. Dependencies:")
        lines += [f"   {line}" for line in _dependency_checks(journey, deps)]
    return lines


# -- the page ------------------------------------------------------------------------------


def _section(journey: Journey, impacts: ImpactMap, variants: list[AlertRule]) -> list[str]:
    alert = variants[0]
    kind = _kind(alert)
    lines = [f"### {alert.alert}", "", f"*{kind}* · {_severity_line(variants)}", ""]
    lines += [f"**What it means.** {_MEANING[kind]}", ""]
    lines += ["```promql", *(f"# {a.severity}\n{a.expr}" if len(variants) > 1 else a.expr for a in variants), "```", ""]
    if kind == "custom":
        notes = next(c.runbook for c in journey.custom_alerts if c.name == alert.alert)
        if notes:
            lines += [f"**What to do** (from the spec). {markdown_text(notes)}", ""]
    if kind == "dependency-down":
        impact = impacts.of(alert.dependency)
        lines += ["**Impact** (from the dependency map):", "", *_cause_impact(impact), ""]
    else:
        lines += ["**Impact:**", "", *_symptom_impact(journey, impacts, alert), ""]
    lines += ["**First checks:**", "", *_first_checks(journey, alert), ""]
    return lines


def runbook(journey: Journey) -> str:
    impacts = impact_map(journey)
    grouped = _by_name(all_alerts(journey))
    header = " ".join(header_lines(journey.source))
    lines = [f"<!-- {header} -->", f"# {journey.title} runbook", ""]
    if journey.description:
        lines += [journey.description, ""]
    lines += [f"Team `{journey.team}` · [Dashboard]({journey.dashboard_url()}) · [Traces]({journey.trace_ui_url})", ""]
    lines += ["## Dependency impact map", "",
              "What breaks when a dependency fails (`obsgen impact` answers it in a terminal). "
              "[Picture](../impact/impact.svg) · [data](../impact/impact.yaml)", "",
              "```mermaid", mermaid(build_graph(journey, impacts)).rstrip("\n"), "```", ""]
    lines += ["## How to work an alert", "",
              "1. Start with the dashboard: which stage has issues, error rates by stage.",
              "2. Drill into the logs: errors of the stage, then one request by its correlation id.",
              "3. Analyse traces in Jaeger: search by service and operation, look for slow or error traces.",
              "4. Check the dependencies: is a down alert firing? Then the cause's section applies and the "
              "symptom alerts are held back in Alertmanager.", ""]
    lines += ["## Alerts of this journey", ""]
    lines += [f"- {_link(name)} ({'/'.join(a.severity for a in variants)}, {_kind(variants[0])})"
              for name, variants in grouped.items()]
    lines.append("")
    for variants in grouped.values():
        lines += _section(journey, impacts, variants)
    return "\n".join(lines).rstrip("\n") + "\n"


def emit_runbook(journey: Journey) -> list[Artifact]:
    return [Artifact(f"{RUNBOOK_DIR}/{journey.name}.md", runbook(journey))]
