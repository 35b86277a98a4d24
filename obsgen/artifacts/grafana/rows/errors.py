"""Row 7, errors by stage: which stage is failing, at one glance, against its alert threshold."""

from __future__ import annotations

from obsgen.artifacts.grafana import grafana as g, queries as q, titles
from obsgen.artifacts.grafana.layout import PanelDef, Section
from obsgen.artifacts.grafana.rows.common import even_width, event_word, rate_unit
from obsgen.artifacts.prometheus.dashboard_series import STAGE_ERROR_RATIO, STAGE_ERRORS
from obsgen.model import Journey, SloType, Stage
from obsgen.promql import format_duration, format_number

HEIGHT = 7
ERRORS_PER_SECOND = "errors/s"


def section(journey: Journey) -> Section:
    panels = [_now_by_stage(journey)]
    panels += [_stage_errors(journey, s, even_width(len(journey.stages), minimum=6)) for s in journey.stages]
    return Section("errors", titles.ERRORS, tuple(panels))


def _tightest_budget(journey: Journey) -> float | None:
    budgets = [s.error_budget for s in journey.slos if s.type == SloType.AVAILABILITY]
    return min(budgets) if budgets else None


def _now_by_stage(journey: Journey) -> PanelDef:
    budget = _tightest_budget(journey)
    steps = (g.Step(g.GREEN),) + ((g.Step(g.RED, budget),) if budget is not None else ())
    limit = (f" Red above {format_number(budget * 100)}% of events, the tightest availability SLO's error budget."
             if budget is not None else "")
    panel = g.bar_gauge(
        "Error ratio by stage, now",
        f"Share of each selected stage's events that failed over the last 5 minutes: the debugging workflow's "
        f"'identify which stage has issues'.{limit}",
        [g.prom(q.selected_stages(journey, STAGE_ERROR_RATIO), "{{stage}}", instant=True)],
        g.FieldConfig("percentunit", steps, min=0, max=1),
    )
    return PanelDef("errors/now-by-stage", panel, 24, 6)


def _stage_errors(journey: Journey, stage: Stage, width: int) -> PanelDef:
    alert = stage.error_rate_alert
    steps = (g.Step(g.GREEN),) + ((g.Step(g.RED, alert.threshold),) if alert else ())
    line = (f" Dashed: {alert.name} fires above {format_number(alert.threshold * 100)}% for {format_duration(alert.for_)} "
            f"(the alert counts {alert.errors.promql()} as errors)." if alert else "")
    errors_rate = g.Override(ERRORS_PER_SECOND, (("unit", rate_unit(stage)), ("custom.axisPlacement", "right"),
                                                 ("custom.fillOpacity", 0)))
    panel = g.timeseries(
        f"{stage.title}: errors",
        f"Failed {event_word(stage)} of {stage.title} as a share of all (left axis) and per second (right axis), "
        f"5m rates; failures are {stage.errors.promql()}.{line}",
        [g.prom(q.stage_series(journey, STAGE_ERROR_RATIO, stage.name), "error ratio"),
         g.prom(q.stage_series(journey, STAGE_ERRORS, stage.name), ERRORS_PER_SECOND)],
        g.FieldConfig("percentunit", steps, overrides=(errors_rate,), min=0),
        threshold_style="dashed" if alert else "off",
    )
    return PanelDef(f"errors/stage/{stage.name}", panel, width, HEIGHT, (stage.name,))
