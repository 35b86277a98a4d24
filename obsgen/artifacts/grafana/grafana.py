"""Our one seam over grafanalib: modern defaults, and the parts grafanalib lacks.

grafanalib is unmaintained and writes Grafana 5-era JSON: schemaVersion 12, ``maxDataPoints: 100`` on
every panel, thresholds as ``{"value": "null", "index": 0, "op": "gt"}``, legacy keys (``span``,
``height``, ``minSpan``, ``style``, ``rows``…), null-valued fields, template variables full of
``useTags``/``auto_*``, and no traces panel, data links or modern Prometheus/Jaeger targets. Every
builder below goes through grafanalib where it has the concept, and then through ``_clean_panel`` /
``_clean_variable`` / ``finish_dashboard``, which keep only the keys of Grafana's dashboard schema
(``tests/dashboards/grafana_schema.py``) and add ours. Nothing else in ``obsgen.artifacts.grafana`` writes raw
Grafana JSON, so there is no ``extraJson`` anywhere.

Target: ``schemaVersion`` 39 (Grafana 10.3, 10.4 and 11.x; Grafana 12 migrates it forward on load).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, Iterable

import attr
from grafanalib import core as gl
from grafanalib._gen import DashboardEncoder  # noqa: F401 (re-exported for tests)

SCHEMA_VERSION = 39

PROMETHEUS_VAR = "datasource"
TRACES_VAR = "traces_datasource"
PROMETHEUS = {"type": "prometheus", "uid": f"${{{PROMETHEUS_VAR}}}"}
JAEGER = {"type": "jaeger", "uid": f"${{{TRACES_VAR}}}"}

GREEN, YELLOW, RED, BLUE = "green", "yellow", "red", "blue"

# Keys of a panel in Grafana's dashboard schema (definitions.Panel); grafanalib writes many more.
_PANEL_KEYS = frozenset({
    "type", "id", "pluginVersion", "targets", "title", "description", "transparent", "datasource",
    "gridPos", "links", "repeat", "repeatDirection", "maxPerRow", "maxDataPoints", "transformations",
    "interval", "timeFrom", "timeShift", "hideTimeOverride", "libraryPanel", "options", "fieldConfig",
})
_VARIABLE_KEYS = frozenset({
    "type", "name", "label", "hide", "skipUrlSync", "description", "query", "datasource", "current",
    "multi", "options", "refresh", "sort", "includeAll", "allValue", "regex",
})
_DASHBOARD_KEYS = frozenset({
    "uid", "title", "description", "tags", "timezone", "editable", "graphTooltip", "time", "timepicker",
    "fiscalYearStartMonth", "liveNow", "weekStart", "refresh", "schemaVersion", "version", "panels",
    "templating", "annotations", "links",
})


# --------------------------------------------------------------------------- small value types

@dataclass(frozen=True)
class Step:
    """A threshold step: the colour from ``value`` upwards. ``None`` is the base (-Infinity)."""

    color: str
    value: float | None = None


@dataclass(frozen=True)
class DataLink:
    """A link on every value of a panel; Grafana interpolates ``${var}`` and ``${__value.raw}``."""

    title: str
    url: str
    new_tab: bool = False

    def as_json(self) -> dict:
        return {"title": self.title, "url": self.url, "targetBlank": self.new_tab}


@dataclass(frozen=True)
class Override:
    """Field overrides: ``properties`` applied to the fields a matcher picks (by series name here)."""

    series: str
    properties: tuple[tuple[str, Any], ...]
    matcher: str = "byName"

    def as_json(self) -> dict:
        return {"matcher": {"id": self.matcher, "options": self.series},
                "properties": [{"id": key, "value": value} for key, value in self.properties]}


def thresholds(steps: Iterable[Step]) -> dict:
    ordered = list(steps)
    if not ordered or ordered[0].value is not None:
        raise ValueError("the first threshold step is the base and has no value")
    values = [s.value for s in ordered[1:]]
    if values != sorted(values):
        raise ValueError(f"threshold steps must increase: {values}")
    return {"mode": "absolute", "steps": [{"color": s.color, "value": s.value} for s in ordered]}


def dashed(series: str) -> Override:
    """A reference line (objective, threshold): dashed, thin, without fill."""
    return Override(series, (("custom.lineStyle", {"dash": [10, 10], "fill": "dash"}),
                             ("custom.lineWidth", 1), ("custom.fillOpacity", 0)))


def color(series: str, fixed: str) -> Override:
    return Override(series, (("color", {"fixedColor": fixed, "mode": "fixed"}),))


def exemplar_carrier(series: str) -> Override:
    """A query run only for its exemplars: no line, not in the legend or tooltip."""
    return Override(series, (("custom.lineWidth", 0), ("custom.fillOpacity", 0),
                             ("custom.hideFrom", {"legend": True, "tooltip": True, "viz": False})))


# --------------------------------------------------------------------------- targets

@attr.s
class PromTarget(gl.Target):
    """A Prometheus query as Grafana 10+ saves it (grafanalib's carries Graphite-era keys)."""

    exemplar = attr.ib(default=False)

    def to_json_data(self) -> dict:
        data = {"refId": self.refId, "expr": self.expr, "legendFormat": self.legendFormat,
                "datasource": PROMETHEUS, "editorMode": "code", "range": not self.instant,
                "instant": self.instant, "exemplar": self.exemplar}
        if self.format and self.format != gl.TIME_SERIES_TARGET_FORMAT:
            data["format"] = self.format
        return data


@dataclass(frozen=True)
class JaegerTarget:
    """A Jaeger query: one trace by id (``query``), or a search (service, tags, duration)."""

    ref_id: str
    trace_id: str = ""
    service: str = ""
    tags: str = ""
    min_duration: str = ""
    limit: int = 20

    def to_json_data(self) -> dict:
        if self.trace_id:
            # No queryType: the Jaeger datasource reads `query` as a trace id.
            return {"refId": self.ref_id, "datasource": JAEGER, "query": self.trace_id}
        search = {"refId": self.ref_id, "datasource": JAEGER, "queryType": "search",
                  "service": self.service, "limit": self.limit}
        if self.tags:
            search["tags"] = self.tags
        if self.min_duration:
            search["minDuration"] = self.min_duration
        return search


def prom(expr: str, legend: str = "", *, ref: str = "A", instant: bool = False, exemplar: bool = False,
         table: bool = False) -> PromTarget:
    return PromTarget(expr=expr, legendFormat=legend, refId=ref, instant=instant, exemplar=exemplar,
                      format="table" if table else gl.TIME_SERIES_TARGET_FORMAT)


def ref_id(index: int) -> str:
    return chr(ord("A") + index)


def refs(targets: list) -> list:
    """Give targets refIds A, B, C… in order, so a panel's queries read top to bottom."""
    out = []
    for index, target in enumerate(targets):
        ref = ref_id(index)
        out.append(attr.evolve(target, refId=ref) if isinstance(target, gl.Target)
                   else dataclasses.replace(target, ref_id=ref))
    return out


# --------------------------------------------------------------------------- panels

@attr.s
class Traces(gl.Panel):
    """Grafana's trace view (``traces``), which grafanalib does not have."""

    def to_json_data(self) -> dict:
        return self.panel_json({"type": "traces", "options": {}})


@dataclass(frozen=True)
class FieldConfig:
    """What grafanalib cannot set, or sets wrongly, on ``fieldConfig.defaults``."""

    unit: str
    steps: tuple[Step, ...] = (Step(GREEN),)
    links: tuple[DataLink, ...] = ()
    overrides: tuple[Override, ...] = ()
    min: float | None = None
    max: float | None = None
    decimals: int | None = None
    mappings: tuple[dict, ...] = ()
    color_mode: str | None = None  # "thresholds" colours values by step; None keeps the panel's


def timeseries(title: str, description: str, targets: list, fields: FieldConfig, *,
               threshold_style: str = "off", stack: bool = False, legend_calcs: tuple[str, ...] = ("lastNotNull", "max"),
               fill: int = 10, time_from: str | None = None) -> dict:
    panel = gl.TimeSeries(
        title=title, description=description, dataSource=PROMETHEUS, targets=refs(targets),
        unit=fields.unit, thresholdsStyleMode=threshold_style, fillOpacity=fill, lineWidth=2,
        legendDisplayMode="table", legendPlacement="bottom", legendCalcs=list(legend_calcs),
        tooltipMode="multi", tooltipSort="desc", showPoints="never", spanNulls=False,
        stacking={"mode": "normal", "group": "A"} if stack else {"mode": "none", "group": "A"},
        timeFrom=time_from,
    )
    return _clean_panel(panel, fields, color_mode=fields.color_mode)


def stat(title: str, description: str, targets: list, fields: FieldConfig, *, graph: bool = True,
         reduce: str = "lastNotNull", time_from: str | None = None, text_mode: str = "auto") -> dict:
    panel = gl.Stat(
        title=title, description=description, dataSource=PROMETHEUS, targets=refs(targets),
        format=fields.unit, graphMode="area" if graph else "none", colorMode="value", reduceCalc=reduce,
        textMode=text_mode, noValue="no data", timeFrom=time_from,
    )
    return _clean_panel(panel, fields, color_mode=fields.color_mode or "thresholds")


def bar_gauge(title: str, description: str, targets: list, fields: FieldConfig) -> dict:
    """A horizontal bar per series (grafanalib's BarGauge writes the Grafana 6 option layout)."""
    panel = gl.Panel(title=title, description=description, dataSource=PROMETHEUS, targets=refs(targets))
    data = _clean_panel(_Typed(panel, "bargauge"), fields, color_mode="thresholds")
    data["options"] = {"displayMode": "gradient", "orientation": "horizontal", "showUnfilled": True,
                       "minVizHeight": 10, "minVizWidth": 0, "valueMode": "color", "namePlacement": "auto",
                       "sizing": "auto", "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}}
    return data


def table(title: str, description: str, targets: list, fields: FieldConfig, *, datasource: dict = JAEGER) -> dict:
    panel = gl.Table(title=title, description=description, dataSource=datasource, targets=refs(targets),
                     unit=fields.unit, filterable=True)
    return _clean_panel(panel, fields)


def traces(title: str, description: str, target: JaegerTarget) -> dict:
    panel = Traces(title=title, description=description, dataSource=JAEGER, targets=refs([target]))
    return _clean_panel(panel, FieldConfig("none"))


def text(title: str, description: str, markdown: str) -> dict:
    panel = gl.Text(title=title, description=description, content=markdown, mode=gl.TEXT_MODE_MARKDOWN)
    data = _clean_panel(panel, None)
    data["options"]["code"] = {"language": "markdown", "showLineNumbers": False, "showMiniMap": False}
    return data


def row(title: str) -> dict:
    return _clean_panel(gl.RowPanel(title=title, collapsed=False), None)


@attr.s
class _Typed:
    """Render a bare grafanalib Panel as a given panel type (for types grafanalib gets wrong)."""

    panel = attr.ib()
    type = attr.ib()

    def to_json_data(self) -> dict:
        return self.panel.panel_json({"type": self.type, "options": {}})


# --------------------------------------------------------------------------- clean-up

def _plain(obj: Any) -> Any:
    """grafanalib objects → plain JSON values: what json.loads(json.dumps(obj, cls=DashboardEncoder))
    gives, in one walk rather than a text round trip per panel (~800 per journey). The type tests
    follow json's encoder, in its order: a value's own type first, to_json_data() only for others."""
    if isinstance(obj, str):
        return str(obj)
    if obj is None or isinstance(obj, bool):
        return obj
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return float(obj)
    if isinstance(obj, (list, tuple)):
        return [_plain(value) for value in obj]
    if isinstance(obj, dict):
        return {_plain_key(key): _plain(value) for key, value in obj.items()}
    to_json_data = getattr(obj, "to_json_data", None)
    if to_json_data is None:
        raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")
    return _plain(to_json_data())


def _plain_key(key: Any) -> str:
    """A dict key as json writes it: keys are strings in JSON."""
    if isinstance(key, str):
        return str(key)
    if key is None or isinstance(key, (bool, int, float)):
        return json.dumps(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def _clean_panel(panel: Any, fields: FieldConfig | None, *, color_mode: str | None = None) -> dict:
    raw = _drop_nulls(_plain(panel))
    data = {k: v for k, v in raw.items() if k in _PANEL_KEYS}
    # grafanalib's panel "links" are the old panel-header links and its maxDataPoints is 100:
    # both are replaced (data links below; Grafana picks max data points from the panel width).
    data.pop("maxDataPoints", None)
    data.pop("links", None)
    if not data.get("timeFrom"):
        data.pop("timeFrom", None)
    if not data.get("hideTimeOverride"):
        data.pop("hideTimeOverride", None)
    for key in ("transparent", "transformations", "repeat", "repeatDirection", "maxPerRow"):
        if data.get(key) in (False, [], "", None):
            data.pop(key, None)
    if raw.get("type") == "row":
        # definitions.RowPanel: expanded rows own no panels; the ones after them belong to them.
        return {"type": "row", "title": raw.get("title", ""), "collapsed": bool(raw.get("collapsed")), "panels": []}
    if fields is None:
        data["fieldConfig"] = {"defaults": {}, "overrides": []}
        return data
    defaults = dict(data.get("fieldConfig", {}).get("defaults", {}))
    defaults.pop("thresholds", None)
    defaults.update({"unit": fields.unit, "thresholds": thresholds(fields.steps),
                     "links": [link.as_json() for link in fields.links], "mappings": list(fields.mappings)})
    if color_mode:
        defaults["color"] = {"mode": color_mode}
    for key in ("min", "max", "decimals"):
        value = getattr(fields, key)
        if value is None:
            defaults.pop(key, None)
        else:
            defaults[key] = value
    data["fieldConfig"] = {"defaults": defaults, "overrides": [o.as_json() for o in fields.overrides]}
    return data


def variable(template: gl.Template, *, current: dict | None = None, options: list[dict] | None = None,
             description: str = "") -> dict:
    """A template variable with only the keys Grafana's schema knows (grafanalib adds ``auto_*``, tags…)."""
    raw = _drop_nulls(_plain(template))
    data = {k: v for k, v in raw.items() if k in _VARIABLE_KEYS}
    if current is not None:
        data["current"] = current
    if "current" in data:
        data["current"] = {k: v for k, v in data["current"].items() if k in ("selected", "text", "value")}
    if options is not None:
        data["options"] = options
    if description:
        data["description"] = description
    return data


def link(title: str, url: str, tooltip: str, *, icon: str = "external link", keep_time: bool = True,
         include_vars: bool = False, new_tab: bool = False) -> gl.DashboardLink:
    return gl.DashboardLink(title=title, uri=url, tooltip=tooltip, icon=icon, type="link", keepTime=keep_time,
                            includeVars=include_vars, targetBlank=new_tab)


def tagged_dashboards(title: str, tags: list[str], tooltip: str) -> gl.DashboardLink:
    """A drop-down of every dashboard carrying these tags: scales where one link per dashboard does not."""
    return gl.DashboardLink(title=title, tags=tags, tooltip=tooltip, type="dashboards", asDropdown=True,
                            keepTime=True, includeVars=False, targetBlank=False)


BUILTIN_ANNOTATION = {
    "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True, "hide": True,
    "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts", "type": "dashboard",
    "target": {"limit": 100, "matchAny": False, "tags": [], "type": "dashboard"},
}


@dataclass
class DashboardSpec:
    uid: str
    title: str
    description: str
    tags: list[str]
    panels: list[dict]
    variables: list[dict]
    links: list[gl.DashboardLink] = field(default_factory=list)
    time_from: str = "now-6h"
    refresh: str = "1m"


def finish_dashboard(spec: DashboardSpec) -> dict:
    """Build with grafanalib's Dashboard, then keep only schema keys and set our defaults."""
    dashboard = gl.Dashboard(
        title=spec.title, uid=spec.uid, description=spec.description, tags=spec.tags, panels=spec.panels,
        links=spec.links, editable=False, graphTooltip=gl.GRAPH_TOOLTIP_MODE_SHARED_CROSSHAIR,
        refresh=spec.refresh, time=gl.Time(spec.time_from, "now"), timezone="browser",
        schemaVersion=SCHEMA_VERSION, templating=gl.Templating(list=spec.variables),
        annotations=gl.Annotations(list=[BUILTIN_ANNOTATION]),
    )
    raw = _plain(dashboard)
    data = {k: v for k, v in raw.items() if k in _DASHBOARD_KEYS and v is not None}
    data["timepicker"] = {k: v for k, v in raw["timepicker"].items() if k in ("hidden", "refresh_intervals", "time_options")}
    data["fiscalYearStartMonth"] = 0
    data["liveNow"] = False
    data["weekStart"] = ""
    return data
