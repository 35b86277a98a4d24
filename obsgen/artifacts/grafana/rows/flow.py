"""Row 2, request flow: how many events reach each stage, in journey order, and how many make it on.

One stat per stage (so a stage's panel changes only with that stage), the conversion between each
pair of consecutive stages (where users drop off), and all selected stages on one graph.
"""

from __future__ import annotations

from obsgen.artifacts.grafana import grafana as g, queries as q, titles
from obsgen.artifacts.grafana.layout import PanelDef, Section
from obsgen.artifacts.grafana.rows.common import even_width, event_word, rate_unit
from obsgen.artifacts.prometheus.dashboard_series import STAGE_REQUESTS
from obsgen.dimensions import aggregate
from obsgen.model import Journey, Stage

STAT_HEIGHT, GRAPH_HEIGHT = 5, 8


def section(journey: Journey) -> Section:
    stages = journey.stages
    panels = [_volume(journey, s, even_width(len(stages))) for s in stages]
    pairs = list(zip(stages, stages[1:]))
    panels += [_conversion(journey, a, b, even_width(len(pairs))) for a, b in pairs]
    panels.append(_all_stages(journey))
    return Section("flow", titles.FLOW, tuple(panels))


def _volume(journey: Journey, stage: Stage, width: int) -> PanelDef:
    description = stage.description or f"{stage.title} ({stage.kind})"
    panel = g.stat(
        f"{stage.title}: {event_word(stage)}/s",
        f"{description}. {event_word(stage).capitalize()} per second reaching this stage (5m rate). Read left "
        f"to right: the stage where the volume falls is where the journey loses users.",
        [g.prom(q.requests(journey, stage.name))], g.FieldConfig(rate_unit(stage), (g.Step(g.BLUE),)),
    )
    return PanelDef(f"flow/stage/{stage.name}/volume", panel, width, STAT_HEIGHT, (stage.name,))


def _conversion(journey: Journey, before: Stage, after: Stage, width: int) -> PanelDef:
    expr = (f"{aggregate('sum', journey.dims, q.requests(journey, after.name))}\n/\n"
            f"{aggregate('sum', journey.dims, q.requests(journey, before.name))}")
    panel = g.stat(
        f"{before.title} → {after.title}",
        f"Conversion: {after.title} events per {before.title} event, from the two 5m rates. A sudden fall "
        f"shows the drop-off point; background stages lag the ones before them by their processing time, "
        f"so compare against the usual level rather than 100%.",
        [g.prom(expr)], g.FieldConfig("percentunit", (g.Step(g.BLUE),), decimals=1),
    )
    return PanelDef(f"flow/conversion/{before.name}/{after.name}", panel, width, STAT_HEIGHT, (before.name, after.name))


def _all_stages(journey: Journey) -> PanelDef:
    panel = g.timeseries(
        "Events per second by stage",
        "Every selected stage's request or task rate on one graph (stage variable), to see the whole journey "
        "move together, or one stage part ways with the others.",
        [g.prom(q.selected_stages(journey, STAGE_REQUESTS), "{{stage}}")],
        g.FieldConfig("ops", (g.Step(g.GREEN),), min=0),
    )
    return PanelDef("flow/all-stages", panel, 24, GRAPH_HEIGHT)
