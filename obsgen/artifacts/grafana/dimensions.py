"""A journey's dimensions (spec.by) on its dashboard: a variable per dimension label, and every query the
variables narrow names the dimension value in its legend, so two clusters' lines can be told apart."""

from __future__ import annotations

import re

from grafanalib import core as gl

from obsgen.artifacts.grafana import grafana
from obsgen.artifacts.grafana.queries import dimension_filter
from obsgen.artifacts.prometheus.dashboard_series import STAGE_REQUESTS
from obsgen.model import Journey

ALL = {"selected": True, "text": ["All"], "value": ["$__all"]}
# Every journey has a stage, so every dimension value the journey runs in has this series.
_VALUES_FROM = STAGE_REQUESTS


def dimension_variables(journey: Journey) -> list[dict]:
    """One multi-select variable per dimension, with All, from the label's values on the journey's series."""
    found = []
    for label in journey.dims:
        query = f'label_values({_VALUES_FROM}{{journey="{journey.name}"}}, {label})'
        template = gl.Template(name=label, query=query, dataSource=None, label=label, multi=True, includeAll=True,
                               default="All", refresh=gl.REFRESH_ON_TIME_RANGE_CHANGE, sort=gl.SORT_ALPHA_ASC)
        variable = grafana.variable(template, current=ALL, options=[],
                                    description=f"Values of {label} (spec.by) to show; alerts name the one that burns.")
        variable["type"] = "query"
        variable["datasource"] = grafana.PROMETHEUS
        variable["query"] = {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery"}
        found.append(variable)
    return found


def legend_suffix(journey: Journey) -> str:
    return " · ".join(f"{{{{{d}}}}}" for d in journey.dims)


def show_dimensions(journey: Journey, dashboard: dict) -> dict:
    """Legends of the queries narrowed by the dimension variables name the dimension values; overrides that
    picked such a series by its legend pick it with the suffix too (byRegexp)."""
    if not journey.dims:
        return dashboard
    markers, suffix = [m for m in dimension_filter(journey).split(",") if m], legend_suffix(journey)
    for panel in _panels(dashboard):
        renamed = set()
        for target in panel.get("targets", []):
            if not any(m in target.get("expr", "") for m in markers) or target.get("exemplar"):
                continue
            legend = target.get("legendFormat", "")
            target["legendFormat"] = f"{legend} · {suffix}" if legend else suffix
            if legend:
                renamed.add(legend)
        for override in panel.get("fieldConfig", {}).get("overrides", []):
            matcher = override["matcher"]
            if matcher["id"] == "byName" and matcher["options"] in renamed:
                override["matcher"] = {"id": "byRegexp", "options": f"^{re.escape(matcher['options'])} · .*$"}
    return dashboard


def _panels(node: dict):
    for panel in node.get("panels", []):
        yield panel
        yield from _panels(panel)
