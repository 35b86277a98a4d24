"""One Markdown runbook per journey, one section per alert, where every `runbook_url` points.

`journey.runbook_url(alert)` ends in `#<alert name lower-cased>`. GitHub derives a heading's
anchor by lower-casing it, dropping punctuation other than '-' and '_', and turning spaces into
'-'; an alert name ([A-Z][A-Za-z0-9]*) is therefore its own anchor when it is the whole heading.
Every other heading here contains a space, so its anchor has a '-' and can never take an alert's.
"""

from __future__ import annotations

import re

from obsgen import markdown as md
from obsgen.artifacts.base import Artifact, ArtifactKind
from obsgen.artifacts.grafana import titles
from obsgen.artifacts.impact.checks import jaeger_search, stage_clues
from obsgen.artifacts.impact.compute import DependencyImpact, ImpactMap, impact_map
from obsgen.artifacts.impact.graph import build_graph
from obsgen.artifacts.impact.mermaid import mermaid
from obsgen.artifacts.layout import runbook_path
from obsgen.artifacts.prometheus import AlertRule, all_alerts, budget
from obsgen.model import Journey, RunbookHints, SloType
from obsgen.reach import journey_time_stages
from obsgen.render import header_lines

BUDGET_KINDS = (budget.EXHAUSTED, budget.FORECAST)
# The budget policy (the SRE workbook's error budget policy), what both budget alerts ask the team to apply.
BUDGET_POLICY = (
    "- Freeze risky releases: only fixes and reliability work ship until the budget is back above zero "
    "(or, for the forecast, until the burn rate is back under 1×).",
    "- Find what spent it: the dashboard's burn-down panel shows when the budget went, the burn-rate alerts "
    "of that time and the impact map why. Write a postmortem when one incident took more than a fifth of it.",
    "- Put the fixes first: the next sprint's reliability items (retries, capacity, rollbacks) before features.",
    "- If the objective is wrong rather than the service (users were fine), change the SLO in the spec, reviewed "
    "like code, rather than ignoring the alert.",
)

_MEANING = {
    "burn-rate": ("The SLO is spending its error budget faster than it can afford: at this rate the budget "
                  "runs out before the SLO window ends. The page variant burns fast (hours to exhaustion), "
                  "the ticket variant slowly (days)."),
    "budget-exhausted": ("The SLO's error budget for its window is spent: over the window, more events (or minutes) "
                         "were bad than the objective allows, so the promise is broken until bad ones leave the "
                         "window. It is a decision to take, not a fire to put out: nothing may be failing right now."),
    "budget-forecast": ("At the burn rate of the last days the error budget left will be spent before long (the "
                        "description says when): the SLO is on course to miss its objective for the window, though "
                        "no burn-rate alert may fire, as the pace is slow. Act while there is budget left."),
    "error-rate": "Too many of the stage's events fail right now.",
    "latency": "The stage is slow for many users right now.",
    "dependency-down": "A dependency reports no healthy instance: this is a cause, and it pages.",
    "dependency-recently-down": (
        "The dependency's down alert resolved a short while ago. Its symptoms may keep burning on the "
        "outage's errors until their windows reset, so this companion keeps them held back for exactly that "
        "long (one rule per severity it holds back). It never notifies; nothing to do. A new failure of a "
        "symptom in that time pages when the companion ends."),
    "failures": ("The job failed more often within the window than allowed: a count, not a ratio, because a "
                 "batch job runs too rarely for a ratio to mean much. It keeps firing until the failures leave the "
                 "window, so check the job's last runs rather than waiting for it to resolve."),
    "custom": "An alert written by the journey's team in raw PromQL (spec.alerts); its own notes follow.",
    "absent": ("The series an SLO is computed from has disappeared, so the SLO's alerts are blind: the "
               "instrumentation, the scrape target or the metric name changed."),
}


def _meaning(journey: Journey, alert: AlertRule) -> str:
    kind = _kind(alert)
    if kind not in ("saturation", "saturation-predicted"):
        return _MEANING[kind]
    sat = journey.dependency(alert.dependency).saturation_of(alert.alert)
    if kind == "saturation":
        return (f"The dependency's {md.text(sat.title)} is above its limit: {sat.meaning}. This is a cause "
                f"of its own and is never inhibited.")
    return (f"At the current trend the {md.text(sat.title)} will pass its limit soon: act before users notice. "
            f"Never inhibited.")


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading (before de-duplication with -1, -2...)."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _kind(alert: AlertRule) -> str:
    return "burn-rate" if alert.kind.startswith("burn-rate") else alert.kind



def _by_name(alerts: list[AlertRule]) -> dict[str, list[AlertRule]]:
    grouped: dict[str, list[AlertRule]] = {}
    for alert in alerts:
        grouped.setdefault(alert.alert, []).append(alert)
    return grouped


def _link(name: str) -> str:
    return f"[{name}](#{github_anchor(name)})"


def _severity_line(variants: list[AlertRule]) -> str:
    parts = [f"**{a.severity}** after {a.for_} ({md.text(dict(a.annotations)['summary'])})" for a in variants]
    return "; ".join(parts)


# -- impact --------------------------------------------------------------------------------


def _cause_impact(impact: DependencyImpact) -> list[str]:
    lines = [f"- Stages down: {', '.join(f'{md.text(s.title)} (`{s.name}`)' for s in impact.stages) or 'none'}",
             f"- Features down: {', '.join(f'`{f}`' for f in impact.features) or 'none'}"]
    if impact.also_down:
        lines.append(f"- Dependencies that fail with it: {', '.join(f'`{d}`' for d in impact.also_down)}")
    lines.append(f"- SLOs that burn: {', '.join(f'{md.text(s.title)} (`{s.name}`)' for s in impact.slos) or 'none'}")
    lines.append(f"- Business metrics that drop: {', '.join(f'`{m.name}`' for m in impact.business) or 'none'}")
    if impact.symptoms:
        lines.append("- Held back (inhibited) while this alert fires, because they are its symptoms: "
                     + ", ".join(_link(a.alert) for a in impact.symptoms))
    return lines


def _symptom_impact(journey: Journey, impacts: ImpactMap, alert: AlertRule) -> list[str]:
    stages = [journey.stage(s) for s in alert.stages]
    lines = []
    if stages:
        lines.append(f"- Stages: {', '.join(f'{md.text(s.title)} (`{s.name}`, feature `{s.feature}`)' for s in stages)}")
        metrics = [m.name for m in journey.business if m.stage in alert.stages]
        lines.append(f"- Business metrics that drop with it: {', '.join(f'`{m}`' for m in metrics) or 'none'}")
    causes = impacts.causes_of(alert.alert)
    if causes:
        lines.append("- Possible causes (while one of them fires, this alert is inhibited; work from the cause): "
                     + ", ".join(f"{_link(i.cause.alert)} ({md.text(i.title)})" for i in causes))
    elif _kind(alert) not in ("saturation", "saturation-predicted"):
        lines.append("- No dependency in the map explains it: look at the stage itself (a deploy, bad input, load).")
    return lines


# -- first checks --------------------------------------------------------------------------


def _dashboard_rows(journey: Journey, alert: AlertRule) -> list[str]:
    """The titles of the dashboard rows that show this alert's subject, as the dashboard names them."""
    kind = _kind(alert)
    if kind in BUDGET_KINDS:
        return [titles.SLOS]
    if kind == "burn-rate":
        slo_type = next(s.type for s in journey.slos if s.name == alert.slo)
        return {SloType.AVAILABILITY: [titles.SLOS, titles.ERRORS], SloType.QUERY: [titles.SLOS, titles.ERRORS],
                SloType.LATENCY: [titles.SLOS, titles.JOURNEY_TIME],
                SloType.JOURNEY_TIME: [titles.SLOS, titles.JOURNEY_TIME]}.get(slo_type, [titles.SLOS])
    return {"error-rate": [titles.ERRORS, titles.FLOW], "failures": [titles.ERRORS, titles.FLOW],
            "latency": [titles.JOURNEY_TIME], "absent": [titles.FLOW],
            "custom": [titles.FLOW] if alert.stages else [titles.DEPENDENCIES] if alert.dependency else [titles.SLOS]
            }.get(kind, [titles.DEPENDENCIES])


def _dashboard_link(journey: Journey, alert: AlertRule) -> str:
    focus = ({"dependency": alert.dependency} if alert.dependency else {"slo": alert.slo} if alert.slo
             else {"stage": alert.stages[0]} if len(alert.stages) == 1 else {})
    return journey.dashboard_url(**focus)


def _stage_logs(journey: Journey, stage_names: tuple[str, ...]) -> list[str]:
    lines = []
    for name in stage_names:
        stage = journey.stage(name)
        hints = stage.runbook or RunbookHints()
        where = (md.code_span(hints.logs) if hints.logs
                 else f"the logs of service {md.code_span(stage_clues(journey, stage).service)}: errors since the "
                      f"alert started, then one failing request end to end")
        lines.append(f"   - {md.text(stage.title)}: {where}")
    return lines


def _stage_traces(journey: Journey, stage_names: tuple[str, ...]) -> list[str]:
    lines = []
    for name in stage_names:
        stage = journey.stage(name)
        if stage.runbook and stage.runbook.traces:
            lines.append(f"   - {md.text(stage.title)}: {md.code_span(stage.runbook.traces)}")
            continue
        clues = stage_clues(journey, stage)
        lines.append(f"   - {md.text(stage.title)}: service {md.code_span(clues.service)}, operation "
                     f"{md.code_span(clues.operation)}: "
                     f"[error traces]({jaeger_search(journey, clues, error='true')}), "
                     f"[one request by correlation id]"
                     f"({jaeger_search(journey, clues, correlation_id='<correlation-id>')})")
    return lines


def _hint_lines(hints: RunbookHints, *, logs_and_traces: bool) -> list[str]:
    """A stage's or dependency's own hints as list items, two spaces deeper than their owner's line."""
    lines = []
    if logs_and_traces and hints.logs:
        lines.append(f"  - Logs: {md.code_span(hints.logs)}")
    if logs_and_traces and hints.traces:
        lines.append(f"  - Traces: {md.code_span(hints.traces)}")
    if hints.dashboards:
        lines.append(f"  - Dashboards: {', '.join(md.link(url, url) for url in hints.dashboards)}")
    if hints.notes:
        lines.append(f"  - Notes: {md.text(hints.notes)}")
    if hints.commands:
        lines.append("  - Commands:")
        lines += md.code_block(list(hints.commands), "sh", indent="    ")
    return lines


def _stage_hints(journey: Journey, stage_names: tuple[str, ...]) -> list[str]:
    lines = []
    for name in stage_names:
        stage = journey.stage(name)
        extra = _hint_lines(stage.runbook, logs_and_traces=False) if stage.runbook else []
        if extra:
            lines += [f"   - {md.text(stage.title)}:", *(f"   {line}" for line in extra)]
    return lines


def _dependency_checks(journey: Journey, names: list[str]) -> list[str]:
    lines = []
    for name in names:
        dep = journey.dependency(name)
        expected = "should be 1" if dep.health.form == "gauge" else "should hold"
        lines.append(f"- {md.text(dep.title)} health: {md.code_span(dep.health.healthy())} {expected} "
                     f"(down alert: {_link(dep.down_alert_name)}).")
        if dep.runbook:
            lines += _hint_lines(dep.runbook, logs_and_traces=True)
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
    journey_time_slo = alert.slo and next(s.type for s in journey.slos if s.name == alert.slo) == SloType.JOURNEY_TIME
    if not stage_names and (journey_time_slo or alert.kind == "absent"):
        # Journey time: the background stages decide it (they run last and report it).
        stage_names = journey_time_stages(journey)
    shown = _dashboard_rows(journey, alert)
    rows = ("rows " if len(shown) > 1 else "row ") + " and ".join(f"*{md.text(title)}*" for title in shown)
    lines = [f"1. Dashboard: [{md.text(journey.title)}, focused on this alert]({_dashboard_link(journey, alert)}), "
             f"{rows}: which stage has issues, and since when."]
    step = 2
    if stage_names:
        lines.append(f"{step}. Logs:")
        lines += _stage_logs(journey, stage_names)
        lines.append(f"{step + 1}. Traces (or the dashboard's *{md.text(titles.TRACES)}* row "
                     "with its `correlation_id` variable):")
        lines += _stage_traces(journey, stage_names)
        step += 2
        hints = _stage_hints(journey, stage_names)
        if hints:
            lines += [f"{step}. What the team noted for these stages:", *hints]
            step += 1
    deps = _related_dependencies(journey, stage_names, alert)
    if deps:
        lines.append(f"{step}. Dependencies:")
        lines += [f"   {line}" for line in _dependency_checks(journey, deps)]
    return lines


# -- the page ------------------------------------------------------------------------------


def _section(journey: Journey, impacts: ImpactMap, variants: list[AlertRule]) -> list[str]:
    alert = variants[0]
    kind = _kind(alert)
    lines = [f"### {alert.alert}", "", f"*{kind}* · {_severity_line(variants)}", ""]
    lines += [f"**What it means.** {_meaning(journey, alert)}", ""]
    exprs = [f"# {a.severity}\n{a.expr}" if len(variants) > 1 else a.expr for a in variants]
    lines += [*md.code_block([line for expr in exprs for line in expr.split("\n")], "promql"), ""]
    if kind == "custom":
        notes = next(c.runbook for c in journey.custom_alerts if c.name == alert.alert)
        if notes:
            lines += [f"**What to do** (from the spec). {md.text(notes)}", ""]
    if kind in BUDGET_KINDS:
        lines += ["**What to do** (the budget policy):", "", *BUDGET_POLICY, ""]
    if kind == "dependency-down":
        impact = impacts.of(alert.dependency)
        lines += ["**Impact** (from the dependency map):", "", *_cause_impact(impact), ""]
    elif kind == "dependency-recently-down":
        held = ", ".join(_link(a.alert) for a in impacts.of(alert.dependency).symptoms) or "none"
        lines += [f"**Impact:** none of its own. Holds back (as its down alert did, for the severities above): {held}", ""]
    else:
        lines += ["**Impact:**", "", *_symptom_impact(journey, impacts, alert), ""]
    lines += ["**First checks:**", "", *_first_checks(journey, alert), ""]
    return lines


def runbook(journey: Journey) -> str:
    impacts = impact_map(journey)
    grouped = _by_name(all_alerts(journey))
    header = " ".join(header_lines(journey.source))
    lines = [f"<!-- {header} -->", f"# {md.text(journey.title)} runbook", ""]
    if journey.description:
        lines += [md.text(journey.description), ""]
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
    return [Artifact(runbook_path(journey.name), runbook(journey))]


KIND = ArtifactKind("runbook", emit_runbook)
