"""Row 4, distributed trace analysis: one request end to end, found by trace id or correlation id.

The seed's workflow: take the correlation id from a response header or log line, find its traces,
open one (the trace id variable drives the trace panel), look at slow and failed traces of the service.
"""

from __future__ import annotations

from obsgen.artifacts.grafana import grafana as g, titles
from obsgen.artifacts.grafana.layout import PanelDef, Section
from obsgen.artifacts.grafana.rows.common import focus_stage
from obsgen.artifacts.grafana.trace_links import show_trace_here
from obsgen.artifacts.grafana.variables import CORRELATION_ID_VAR, TRACE_ID_VAR, TRACE_SERVICE_VAR
from obsgen.model import Journey, SloType
from obsgen.promql import format_duration

TRACE_HEIGHT, TABLE_WIDTH, TABLE_HEIGHT = 14, 8, 8
# Jaeger search results name the trace id field "traceID".
TRACE_ID_FIELD = "traceID"
SERVICE = f"${{{TRACE_SERVICE_VAR}}}"


def section(journey: Journey) -> Section:
    panels = [
        _trace(),
        _search("correlation", f"Traces of correlation ID ${{{CORRELATION_ID_VAR}}}",
                "Traces whose spans carry the correlation_id attribute of the correlation ID variable: the "
                "request's whole path, API and worker. Click a trace id to show it in the trace panel above.",
                journey, tags=f"correlation_id=${{{CORRELATION_ID_VAR}}}"),
        _search("errors", "Recent error traces",
                "Traces of the service with a failed span (error=true): the debugging workflow's "
                "'look for error traces'. Click a trace id to open it above.", journey, tags="error=true"),
    ]
    slow = _slow_threshold(journey)
    if slow is not None:
        panels.append(_search("slow", f"Traces slower than {format_duration(slow)}",
                              f"Traces of the service longer than the latency SLO threshold "
                              f"({format_duration(slow)}): the ones that burn the latency budget. "
                              f"Click a trace id to open it above.", journey, min_duration=format_duration(slow)))
    return Section("traces", titles.TRACES, tuple(panels))


def _trace() -> PanelDef:
    panel = g.traces(
        f"Trace ${{{TRACE_ID_VAR}}}",
        "Every span of one request across the API, the queue and the worker, with timings and errors. Set the "
        "trace id variable (from a log line, an exemplar, or a search below) to choose the trace.",
        g.JaegerTarget("A", trace_id=f"${{{TRACE_ID_VAR}}}"),
    )
    return PanelDef("traces/trace", panel, 24, TRACE_HEIGHT)


def _search(key: str, title: str, description: str, journey: Journey, *, tags: str = "",
            min_duration: str = "") -> PanelDef:
    open_here = g.Override(TRACE_ID_FIELD, (("links", [show_trace_here(journey).as_json()]),))
    panel = g.table(title, description,
                    [g.JaegerTarget("A", service=SERVICE, tags=tags, min_duration=min_duration)],
                    g.FieldConfig("none", overrides=(open_here,)))
    return PanelDef(f"traces/search/{key}", panel, TABLE_WIDTH, TABLE_HEIGHT)


def _slow_threshold(journey: Journey) -> float | None:
    """The latency SLO threshold of the focus stage, else the tightest latency threshold there is."""
    latency = [s for s in journey.slos if s.type == SloType.LATENCY]
    if not latency:
        return None
    focus = focus_stage(journey).name
    preferred = [s for s in latency if focus in s.stages] or latency
    return min(s.threshold for s in preferred)
