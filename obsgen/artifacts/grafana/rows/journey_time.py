"""Row 3, end-to-end journey time: where the time goes, API latency against background processing,
and the whole journey against its SLO.

Per stage: p50/p95/p99 from the recording rules, the SLO and alert thresholds as dashed lines, and one
query on the raw histogram kept only for its exemplars: click a diamond to open that request's trace.
"""

from __future__ import annotations

from obsgen.artifacts.grafana import grafana as g, queries as q, titles
from obsgen.artifacts.grafana.layout import PanelDef, Section
from obsgen.artifacts.grafana.rows.common import HTTP_KIND
from obsgen.artifacts.grafana.trace_links import trace_links
from obsgen.artifacts.grafana.variables import TRACE_ID_VAR
from obsgen.artifacts.prometheus.dashboard_series import STAGE_LATENCY, quantile_name
from obsgen.artifacts.prometheus.histograms import grafana_unit
from obsgen.model import Histogram, Journey, SloType, Stage
from obsgen.promql import format_duration, format_number

WIDTH, HEIGHT = 12, 8
EXEMPLARS = "exemplars (p95, raw)"


def section(journey: Journey) -> Section:
    panels = [_stage_latency(journey, s) for s in journey.stages if s.latency is not None]
    if journey.journey_time is not None:
        panels.append(_journey_time(journey))
    panels.append(_p95_by_stage(journey))
    return Section("journey-time", titles.JOURNEY_TIME, tuple(panels))


def _quantile_targets(exprs_by_quantile) -> list:
    return [g.prom(expr, f"p{format_number(quantile * 100)}") for quantile, expr in exprs_by_quantile]


def _thresholds(journey: Journey, stage: Stage) -> tuple[tuple[g.Step, ...], list[str]]:
    """Threshold steps in the panel's unit (the histogram's), with what each line means."""
    lines: list[tuple[float, str, str]] = []
    in_unit = stage.latency.in_unit
    for slo in journey.slos:
        if slo.type == SloType.LATENCY and stage.name in slo.stages:
            lines.append((in_unit(slo.threshold), g.YELLOW, f"SLO {slo.title}: {format_duration(slo.threshold)}"))
    if stage.latency_alert is not None:
        alert = stage.latency_alert
        lines.append((in_unit(alert.threshold), g.RED, f"alert {alert.name}: p{format_number(alert.quantile * 100)} "
                                                        f"over {format_duration(alert.threshold)}"))
    lines.sort()
    return (g.Step(g.GREEN),) + tuple(g.Step(color, value) for value, color, _ in lines), [t for *_, t in lines]


def _latency_targets(journey: Journey, histogram: Histogram, recorded) -> list:
    """Recorded quantiles (seconds) and the raw p95 that carries exemplars, all in the histogram's unit:
    exemplars keep the unit they were observed in, so the panel shows that unit."""
    scale = "" if histogram.scale == 1 else f" * {format_number(histogram.scale)}"
    targets = _quantile_targets((qt, recorded(qt) + scale) for qt in q.RECORDED_QUANTILES)
    targets.append(g.prom(q.raw_quantile(journey, histogram, 0.95), EXEMPLARS, exemplar=True))
    return targets


def _stage_latency(journey: Journey, stage: Stage) -> PanelDef:
    steps, explained = _thresholds(journey, stage)
    targets = _latency_targets(journey, stage.latency, lambda qt: q.latency(journey, stage.name, qt))
    what = "API response time" if stage.kind == HTTP_KIND else "background processing time"
    lines = f" Dashed lines: {'; '.join(explained)}." if explained else ""
    panel = g.timeseries(
        f"{stage.title}: {what}",
        f"{stage.title} {what} percentiles from the 5m recording rules.{lines} Diamonds are exemplars: "
        f"requests with a trace id; click one to open its trace. The links carry ${TRACE_ID_VAR} to Jaeger.",
        targets,
        g.FieldConfig(grafana_unit(stage.latency), steps, links=trace_links(journey),
                      overrides=(g.exemplar_carrier(EXEMPLARS),), min=0),
        threshold_style="dashed",
    )
    return PanelDef(f"journey-time/stage/{stage.name}/latency", panel, WIDTH, HEIGHT, (stage.name,))


def _journey_time(journey: Journey) -> PanelDef:
    slos = [s for s in journey.slos if s.type == SloType.JOURNEY_TIME]
    histogram = journey.journey_time
    steps = (g.Step(g.GREEN),) + tuple(g.Step(g.RED, histogram.in_unit(s.threshold))
                                       for s in sorted(slos, key=lambda s: s.threshold))
    slo_text = "; ".join(f"SLO {s.title}: p{format_number(s.objective * 100)} under {format_duration(s.threshold)}"
                         for s in slos)
    targets = _latency_targets(journey, histogram, lambda qt: q.journey_time(journey, qt))
    panel = g.timeseries(
        f"{journey.journey_time_title}: end-to-end time",
        f"Time from the first stage to the last, per completed journey (5m recording rules). "
        f"{'Dashed line: ' + slo_text + '.' if slo_text else ''} This is what the user waits for in total; the "
        f"stage panels beside it show which stage the time goes to.",
        targets,
        g.FieldConfig(grafana_unit(histogram), steps, links=trace_links(journey),
                      overrides=(g.exemplar_carrier(EXEMPLARS),), min=0),
        threshold_style="dashed",
    )
    return PanelDef("journey-time/end-to-end", panel, WIDTH, HEIGHT)


def _p95_by_stage(journey: Journey) -> PanelDef:
    panel = g.bar_gauge(
        "p95 by stage: where the time goes",
        "Each selected stage's current p95 side by side (stage variable), so the slowest stage stands out. "
        "Background stages are expected to be slower than API calls.",
        [g.prom(q.selected_stages(journey, quantile_name(STAGE_LATENCY, 0.95)), "{{stage}}", instant=True)],
        g.FieldConfig("s", (g.Step(g.GREEN),), min=0),
    )
    return PanelDef("journey-time/p95-by-stage", panel, WIDTH, HEIGHT)
