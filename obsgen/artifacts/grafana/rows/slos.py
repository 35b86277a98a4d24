"""Row 5, SLOs and error budget: per SLO, the SLI against its objective, the budget left over the
window, and the burn rate against the lines the burn-rate alerts use.

Everything reads the core's ``slo:*`` recording rules, so the panels cost one series lookup each.
"""

from __future__ import annotations

import dataclasses

from obsgen import calendar_window
from obsgen.artifacts.grafana import grafana as g, queries as q, titles
from obsgen.artifacts.grafana.layout import PanelDef, Section
from obsgen.artifacts.grafana.rows.common import stage_titles
from obsgen.artifacts.prometheus import slo_meta
from obsgen.artifacts.prometheus.sli import timeslice_measure
from obsgen.model import Journey, Slo, SloType
from obsgen.promql import format_duration, format_number

HEIGHT = 7
BURN_UNIT = "suffix:×"
BUDGET_STEPS = (g.Step(g.RED), g.Step(g.YELLOW, 0), g.Step(g.GREEN, 0.25))


def section(journey: Journey) -> Section:
    panels = [_budget_summary(journey), _burn_summary(journey)]
    for slo in journey.slos:
        panels += _slo_panels(journey, slo)
    return Section("slos", titles.SLOS, tuple(panels))


def _good_share(slo: Slo) -> str:
    if slo.timeslice is not None:
        return "Good minutes (time slices) as a share of all minutes"
    return "Good events as a share of valid events"


def _subject(journey: Journey, slo: Slo) -> str:
    if slo.type == SloType.JOURNEY_TIME:
        return journey.journey_time_title
    return stage_titles(journey, slo.stages)


def _budget_summary(journey: Journey) -> PanelDef:
    panel = g.bar_gauge(
        "Error budget remaining (selected SLOs)",
        "Share of each SLO's error budget left over its window (slo variable). Below zero the SLO is broken "
        "for the window; yellow under 25% means spend it on reliability, not features.",
        [g.prom(q.selected_slos(journey, slo_meta.BUDGET_REMAINING), "{{slo}}", instant=True)],
        g.FieldConfig("percentunit", BUDGET_STEPS, max=1),
    )
    return PanelDef("slos/budget-remaining", panel, 12, HEIGHT)


def _burn_summary(journey: Journey) -> PanelDef:
    panel = g.timeseries(
        "Burn rate, 5m (selected SLOs)",
        "How fast each selected SLO spends its error budget: 1× spends exactly the budget over the window, "
        "14.4× spends a 30-day budget in about two days. The per-SLO panels below draw the alert lines.",
        [g.prom(q.selected_slos(journey, slo_meta.CURRENT_BURN_RATE), "{{slo}}")],
        g.FieldConfig(BURN_UNIT, (g.Step(g.GREEN),), min=0),
    )
    return PanelDef("slos/burn-rate", panel, 12, HEIGHT)


def _slo_panels(journey: Journey, slo: Slo) -> list[PanelDef]:
    key, stages = f"slos/slo/{slo.name}", slo.stages
    objective = f"{format_number(slo.objective * 100)}%"
    window = slo.window_text
    long = 3600.0 if 3600.0 in slo.windows else max(slo.windows)
    sli = g.timeseries(
        f"{slo.title}: SLI vs objective",
        f"{slo.description} ({_subject(journey, slo)}.) {_good_share(slo)} over 5 minutes "
        f"and over {format_duration(long)}, against the objective of {objective} (dashed). Dips below the line spend error budget.",
        [g.prom(q.sli(journey, slo, 300), "SLI 5m"), g.prom(q.sli(journey, slo, long), f"SLI {format_duration(long)}"),
         g.prom(q.slo_series(journey, slo_meta.OBJECTIVE, slo), "objective")],
        g.FieldConfig("percentunit", (g.Step(g.GREEN),), overrides=(g.dashed("objective"), g.color("objective", g.RED)),
                      decimals=3, max=1),
        legend_calcs=("lastNotNull", "min"), fill=0,
    )
    over_window = g.stat(
        f"{slo.title}: SLI over {window}",
        f"{_good_share(slo)} over the SLO window ({window}); red below the objective "
        f"({objective}). This is the number the SLO promises.",
        [g.prom(q.sli(journey, slo, slo.window))],
        g.FieldConfig("percentunit", (g.Step(g.RED), g.Step(g.GREEN, slo.objective)), decimals=3), graph=False,
    )
    budget = g.stat(
        f"{slo.title}: budget left",
        f"Error budget left over the {window} window: 100% untouched, 0% spent, below 0 the SLO is broken. "
        f"The budget is {format_number(slo.error_budget * 100)}% of {'minutes' if slo.timeslice else 'events'}.",
        [g.prom(q.slo_series(journey, slo_meta.BUDGET_REMAINING, slo))],
        g.FieldConfig("percentunit", BUDGET_STEPS, decimals=1), graph=False,
    )
    panels = [PanelDef(f"{key}/sli", sli, 8, HEIGHT, stages),
              PanelDef(f"{key}/window", over_window, 4, HEIGHT, stages),
              PanelDef(f"{key}/budget", budget, 4, HEIGHT, stages),
              PanelDef(f"{key}/burn", _burn(journey, slo), 8, HEIGHT, stages)]
    panels.append(PanelDef(f"{key}/burn-down", _burn_down(journey, slo), 24, HEIGHT, stages))
    if slo.timeslice is not None:
        panels.append(PanelDef(f"{key}/measure", _timeslice_measure(journey, slo), 24, HEIGHT, stages))
    return panels


def _burn_down(journey: Journey, slo: Slo) -> dict:
    """The budget over one whole SLO window or calendar period, against spending it evenly."""
    title, description, span = _calendar_burn_down(slo) if slo.calendar is not None else _rolling_burn_down(slo)
    if slo.budget is not None and slo.budget.exhausted_severity:
        description += f" At 0 {slo.budget.exhausted_alert} fires ({slo.budget.exhausted_severity})."
    return g.timeseries(
        title, description,
        [g.prom(q.slo_series(journey, slo_meta.BUDGET_REMAINING, slo), "budget left"),
         g.prom(q.ideal_budget_left(journey, slo), "ideal (even spending)")],
        g.FieldConfig("percentunit", (g.Step(g.RED), g.Step(g.GREEN, 0)),
                      overrides=(g.dashed("ideal (even spending)"),), decimals=1, max=1),
        threshold_style="dashed", fill=0, legend_calcs=("lastNotNull", "min"), time_from=span,
    )


def _rolling_burn_down(slo: Slo) -> tuple[str, str, str]:
    """Title, description and time range of the panel: one whole window (the panel's own time range)."""
    window = format_duration(slo.window)
    return (f"{slo.title}: error budget burn-down over {window}",
            f"Budget left over the {window} window ending at each moment ({slo.budgeting_method}: bad "
            f"{'minutes' if slo.timeslice else 'events'} against the {format_number(slo.error_budget * 100)}% the "
            f"objective allows), over the last {window}. Dashed: the ideal, the budget spent evenly from the start "
            f"of the panel to its end. Below the dashed line the budget goes faster than the window allows.",
            window)


def _calendar_burn_down(slo: Slo) -> tuple[str, str, str]:
    """Title, description and time range of the panel: the longest period, so a whole one shows."""
    return (f"{slo.title}: error budget burn-down per calendar {slo.calendar}",
            f"Budget left in the calendar {slo.calendar} (UTC) holding each moment, counted from its start "
            f"(bad events against the {format_number(slo.error_budget * 100)}% the objective allows, in whole "
            f"hours); it resets at each period start. Dashed: the ideal, the budget spent evenly from the period's "
            f"start (100%) to its end (0%). Below the dashed line the budget goes faster than the period allows.",
            format_duration(calendar_window.LONGEST[slo.calendar]))


def _filtered_timeslice(journey: Journey, slo: Slo) -> Slo:
    timeslice = dataclasses.replace(slo.timeslice, selector=q.filtered(journey, slo.timeslice.selector))
    return dataclasses.replace(slo, timeslice=timeslice)


def _timeslice_measure(journey: Journey, slo: Slo) -> dict:
    """What decides each time slice, against its threshold: the age of the newest success, or the backlog."""
    ts = slo.timeslice
    if ts.kind == SloType.FRESHNESS:
        title, unit = f"{slo.title}: age of the newest success", "s"
        what = f"Seconds since {ts.selector.metric} last moved, against the {format_duration(ts.threshold)} allowed"
    else:
        title, unit = f"{slo.title}: {ts.aggregation} of {ts.selector.metric}", "short"
        what = f"The {ts.aggregation} of {ts.selector.promql()}, against the threshold of {format_number(ts.threshold)}"
    return g.timeseries(
        title,
        f"{what} (red). Every minute above the line, or without data, is a bad minute of the SLO.",
        [g.prom(timeslice_measure(_filtered_timeslice(journey, slo), journey.dims), "measured")],
        g.FieldConfig(unit, (g.Step(g.GREEN), g.Step(g.RED, ts.threshold)), min=0),
        threshold_style="dashed", fill=0,
    )


def _burn(journey: Journey, slo: Slo) -> dict:
    fastest = min(slo.burn_rates, key=lambda b: (b.short, -b.factor), default=None)
    targets = []
    if fastest is not None:
        for window in sorted({fastest.short, fastest.long}):
            targets.append(g.prom(q.burn_rate(journey, slo, window), f"burn rate {format_duration(window)}"))
    else:
        targets.append(g.prom(q.slo_series(journey, slo_meta.CURRENT_BURN_RATE, slo), "burn rate 5m"))
    targets.append(g.prom(q.slo_series(journey, slo_meta.BURN_RATE_THRESHOLD, slo), "alert at {{factor}}× ({{severity}})"))
    # Threshold series are named by their labels, so the override picks them by their query.
    thresholds = g.Override(g.ref_id(len(targets) - 1), g.dashed("").properties, matcher="byFrameRefID")
    alerting = ("" if slo.alerting else " Alerting is off for this SLO: the lines show where it would fire.")
    pairs = "; ".join(f"{b.severity} {format_number(b.factor)}× over {format_duration(b.long)} and "
                      f"{format_duration(b.short)}" for b in slo.burn_rates)
    return g.timeseries(
        f"{slo.title}: burn rate",
        f"Error-budget burn rate over the fastest alert's short and long windows, with the alert thresholds "
        f"dashed ({pairs}). An alert fires when both its windows are above its line.{alerting}",
        targets,
        g.FieldConfig(BURN_UNIT, (g.Step(g.GREEN),), overrides=(thresholds,), min=0),
        fill=0,
    )
