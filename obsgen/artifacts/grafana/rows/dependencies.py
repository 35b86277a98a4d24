"""Row 6, dependencies: is each one up, is its backlog (about to be) too deep, and what it takes down.

What a dependency takes down comes from the impact map (``obsgen.artifacts.impact``): its own stages, and the
stages of every dependency that needs it (``dependsOn``), so RabbitMQ down also shows the worker's stages.
"""

from __future__ import annotations

from obsgen.artifacts.grafana import grafana as g, queries as q, titles
from obsgen.artifacts.grafana.layout import PanelDef, Section
from obsgen.artifacts.impact import DependencyImpact, impact_map
from obsgen.dimensions import aggregate
from obsgen.model import Dependency, DependencySignals, Journey, Saturation
from obsgen.promql import format_duration, format_number, string_literal

HEIGHT = 7
UP_DOWN = ({"type": "value", "options": {"0": {"text": "DOWN", "color": g.RED, "index": 0},
                                         "1": {"text": "UP", "color": g.GREEN, "index": 1}}},)


def section(journey: Journey) -> Section:
    """No dependencies, no row: a journey without them has nothing to show here."""
    if not journey.dependencies:
        return Section("dependencies", titles.DEPENDENCIES, ())
    impacts = impact_map(journey)
    panels = [_selected_health(journey)]
    for dep in journey.dependencies:
        impact = impacts.of(dep.name)
        panels += [_health(journey, dep), _takes_down(journey, dep, impact)]
        panels += [_saturation(journey, dep, sat) for sat in dep.saturations]
    return Section("dependencies", titles.DEPENDENCIES, tuple(panels))


def _health(journey: Journey, dep: Dependency) -> PanelDef:
    return PanelDef(f"dependencies/{dep.name}/health", health_stat(dep, journey=journey), 4, HEIGHT)


def health_stat(dep: DependencySignals, *, more: str = "", links: tuple[g.DataLink, ...] = (),
                journey: Journey | None = None) -> dict:
    """UP/DOWN of a dependency, read as its down alert reads it (the index dashboard shows shared ones)."""
    return g.stat(
        f"{dep.title}",
        f"{dep.title} ({dep.kind}) health from {dep.health.healthy()}: UP while at least one instance is healthy. "
        f"A missing series counts as DOWN, as in the {dep.down_alert_name} alert{more}.",
        [g.prom(q.health_up(journey, dep.health) if journey else dep.health.up())],
        g.FieldConfig("none", (g.Step(g.RED), g.Step(g.GREEN, 1)), mappings=UP_DOWN, links=links), graph=False,
    )


def _takes_down(journey: Journey, dep: Dependency, impact: DependencyImpact) -> PanelDef:
    lines = [f"**When {dep.title} fails:**", ""]
    for stage in impact.stages:
        via = "" if stage.via == (dep.name,) else f" (through {', '.join(journey.dependency(d).title for d in stage.via)})"
        lines.append(f"- stage **{stage.title}** stops{via}")
    lines += [f"- {journey.dependency(d).title} goes down with it" for d in impact.also_down]
    if impact.features:
        lines.append(f"- features lost: {', '.join(impact.features)}")
    if impact.slos:
        lines.append(f"- SLOs that burn: {', '.join(s.title for s in impact.slos)}")
    if len(lines) == 2:
        lines.append("- no stage of this journey needs it")
    panel = g.text(
        f"{dep.title}: what it takes down",
        f"The stages, features and SLOs that fail when {dep.title} does, from the dependency map "
        f"(its own stages plus those of dependencies that need it). Start here when its down alert fires.",
        "\n".join(lines),
    )
    return PanelDef(f"dependencies/{dep.name}/impact", panel, 8, HEIGHT, impact.stage_names)


def _saturation(journey: Journey, dep: Dependency, sat: Saturation) -> PanelDef:
    series = q.filtered(journey, sat.selector).promql()
    targets = [g.prom(q.saturation_value(journey, sat), sat.title)]
    predicted = ""
    if sat.predict_range and sat.predict_ahead:
        ahead = format_duration(sat.predict_ahead)
        predict = (f"predict_linear({series}[{format_duration(sat.predict_range)}], "
                   f"{format_number(sat.predict_ahead)})")
        targets.append(g.prom(aggregate("max", journey.dims, predict), f"predicted in {ahead}"))
        predicted = (f" The second line extrapolates the last {format_duration(sat.predict_range)} {ahead} ahead: "
                     f"above the threshold it raises {sat.predicted_alert_name} before the "
                     f"{'queue is actually full' if sat.is_queue else 'limit is actually reached'}.")
    what = f"Depth of {series}" if sat.is_queue else f"{sat.title.capitalize()}, {sat.shown()}"
    means = "A growing backlog means" if sat.is_queue else "A high value means"
    panel = g.timeseries(
        f"{dep.title}: {sat.title}{' and prediction' if predicted else ''}",
        f"{what}, against the {sat.alert_name} threshold of {format_number(sat.threshold)} (dashed)."
        f"{predicted} {means} {sat.meaning}.",
        targets,
        g.FieldConfig("percentunit" if sat.denominator else "short", (g.Step(g.GREEN), g.Step(g.RED, sat.threshold)),
                      min=0),
        threshold_style="dashed", fill=0,
    )
    # The first signal keeps the panel key it had when a dependency could have only one.
    key = "saturation" if sat is dep.saturations[0] else f"saturation/{sat.name}"
    return PanelDef(f"dependencies/{dep.name}/{key}", panel, 12, HEIGHT)


def _selected_health(journey: Journey) -> PanelDef:
    union = "\nor\n".join(
        f"label_replace({q.health_up(journey, d.health)}, \"{q.DEPENDENCY_VAR}\", {string_literal(d.name)}, \"\", \"\")"
        for d in journey.dependencies)
    kept = ", ".join((q.DEPENDENCY_VAR,) + journey.dims)
    # Keep the dependencies the variable selects: selected ones are renamed in the right-hand side,
    # so `unless` removes exactly the others ($dependency is a regex Grafana builds from the selection).
    expr = (f"({union})\nunless on ({kept})\n"
            f"label_replace(({union}), \"{q.DEPENDENCY_VAR}\", \"$1 (selected)\", \"{q.DEPENDENCY_VAR}\", "
            f"\"(${q.DEPENDENCY_VAR})\")")
    panel = g.timeseries(
        "Health of selected dependencies",
        "1 = up, 0 = down, for each dependency the dependency variable selects (an alert's link selects its "
        "own). When several go down together, the one the others depend on is the cause.",
        [g.prom(expr, "{{dependency}}")],
        g.FieldConfig("none", (g.Step(g.RED), g.Step(g.GREEN, 1)), min=0, max=1, color_mode="thresholds"),
        fill=0,
    )
    return PanelDef("dependencies/selected-health", panel, 24, HEIGHT)
