"""Row 1, journey overview: is the journey healthy right now, in the numbers the business reads?

Headline stats come from the focus stage (the one most SLOs watch) and from every SLO, each coloured
by the SLO's own objective or threshold; business KPIs follow (per hour, today so far).
"""

from __future__ import annotations

from obsgen.artifacts.grafana import grafana as g, queries as q
from obsgen.artifacts.grafana.layout import PanelDef, Section
from obsgen.artifacts.grafana.rows.common import event_word, focus_stage, rate_unit, stage_titles
from obsgen.artifacts.prometheus.dashboard_series import business_record_name
from obsgen.dimensions import aggregate
from obsgen.model import BusinessMetric, Journey, Slo, SloType
from obsgen.promql import format_duration, format_number

WIDTH, HEIGHT = 4, 5


def section(journey: Journey) -> Section:
    panels = [_throughput(journey)]
    panels += [p for slo in journey.slos for p in _slo_stat(journey, slo)]
    panels += [p for metric in journey.business for p in _business(journey, metric)]
    return Section("overview", f"{journey.title}: overview", tuple(panels))


def _throughput(journey: Journey) -> PanelDef:
    stage = focus_stage(journey)
    panel = g.stat(
        f"{stage.title} {event_word(stage)}/s",
        f"{stage.title} {event_word(stage)} per second over the last 5 minutes. The journey's traffic at the "
        f"stage most SLOs watch: a drop to zero with no errors means users are not getting there at all.",
        [g.prom(q.requests(journey, stage.name))], g.FieldConfig(rate_unit(stage), (g.Step(g.BLUE),)),
    )
    return PanelDef(f"overview/throughput/{stage.name}", panel, WIDTH, HEIGHT, (stage.name,))


def _slo_stat(journey: Journey, slo: Slo) -> list[PanelDef]:
    stages = slo.stages
    if slo.type.is_ratio:  # the share of good events or slices, not a latency quantile
        target = f"{format_number(slo.objective * 100)}%"
        panel = g.stat(
            slo.title,
            f"{slo.description} Share of good events over the last 5 minutes; red below the SLO objective "
            f"({target}), green at or above it. Stages: {stage_titles(journey, stages)}.",
            [g.prom(q.sli(journey, slo, 300))],
            g.FieldConfig("percentunit", (g.Step(g.RED), g.Step(g.GREEN, slo.objective)), decimals=2),
        )
    else:
        quantile = q.recorded_quantile(slo.objective)
        percentile = f"p{format_number(quantile * 100)}"
        if slo.type == SloType.JOURNEY_TIME:
            expr, what = q.journey_time(journey, quantile), journey.journey_time_title
        else:
            expr = aggregate("max", journey.dims, " or ".join(q.latency(journey, s, quantile) for s in stages))
            what = f"{stage_titles(journey, stages)} latency"
        panel = g.stat(
            f"{what} {percentile}",
            f"{slo.description} {percentile} over the last 5 minutes; red at or above the SLO threshold "
            f"({format_duration(slo.threshold)}), which the SLO allows for {format_number((1 - slo.objective) * 100)}% "
            f"of events.",
            [g.prom(expr)],
            g.FieldConfig("s", (g.Step(g.GREEN), g.Step(g.RED, slo.threshold))),
        )
    return [PanelDef(f"overview/slo/{slo.name}", panel, WIDTH, HEIGHT, stages)]


def _business(journey: Journey, metric: BusinessMetric) -> list[PanelDef]:
    stages = (metric.stage,) if metric.stage else ()
    key = f"overview/business/{metric.name}"
    if metric.type != "counter":
        buckets = q.filtered(journey, metric.selector.renamed(metric.selector.metric + "_bucket"))
        by = ", ".join(("le",) + journey.dims)
        expr = f"histogram_quantile(0.5, sum by ({by}) (rate({buckets.promql()}[{q.RATE_INTERVAL}])))"
        panel = g.stat(f"{metric.title} (median)", f"Median {metric.title.lower()} of recent events: a business "
                       f"signal that moves when the mix of customers or the product changes.",
                       [g.prom(expr)], g.FieldConfig(metric.unit, (g.Step(g.BLUE),)))
        return [PanelDef(key, panel, WIDTH, HEIGHT, stages)]
    record = business_record_name(metric.selector.metric, metric.by)
    per_hour = g.stat(
        f"{metric.title} per hour",
        f"{metric.title} per hour at the rate of the last 5 minutes ({record}). Revenue impact in real time: "
        f"it drops as soon as a stage that produces it fails.",
        [g.prom(f"{aggregate('sum', journey.dims, q.journey_series(journey, record))} * 3600")],
        g.FieldConfig(metric.unit, (g.Step(g.BLUE),)),
    )
    today = g.stat(
        f"{metric.title} today",
        f"{metric.title} since midnight (the panel's time range is today so far), summed from the recorded "
        f"5m rate. Compare with the same time yesterday to see whether an incident cost business.",
        [g.prom(q.counter_total(journey, record), instant=True)],
        g.FieldConfig(metric.unit, (g.Step(g.BLUE),)), graph=False, time_from="now/d",
    )
    return [PanelDef(f"{key}/per-hour", per_hour, WIDTH, HEIGHT, stages),
            PanelDef(f"{key}/today", today, WIDTH, HEIGHT, stages)]
