"""Links that carry a trace id: from latency panels to Jaeger, and from search results back here."""

from __future__ import annotations

from urllib.parse import quote

from obsgen.artifacts.grafana import grafana as g
from obsgen.artifacts.grafana.variables import TRACE_ID_VAR, TRACE_SERVICE_VAR
from obsgen.model import Journey


def trace_links(journey: Journey) -> tuple[g.DataLink, ...]:
    jaeger = journey.trace_ui_url.rstrip("/")
    return (
        g.DataLink(f"Jaeger: open trace ${{{TRACE_ID_VAR}}}", f"{jaeger}/trace/${{{TRACE_ID_VAR}}}", new_tab=True),
        # Jaeger's search takes microseconds; Grafana's ${__from}/${__to} are milliseconds.
        g.DataLink("Jaeger: traces of this service around this time",
                   f"{jaeger}/search?service=${{{TRACE_SERVICE_VAR}}}&start=${{__from}}000&end=${{__to}}000"
                   f"&lookback=custom&limit=20", new_tab=True),
    )


def show_trace_here(journey: Journey) -> g.DataLink:
    """From a trace id in a search result to this dashboard, filtered to that trace."""
    return g.DataLink("Show this trace in the dashboard",
                      f"/d/{journey.dashboard_uid}/{quote(journey.name)}?var-{TRACE_ID_VAR}=${{__value.raw}}"
                      f"&${{__url_time_range}}")
