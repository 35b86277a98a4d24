"""Dashboard links: back to the alert lists, to the runbook and to Jaeger.

Alert pages are Grafana's own (relative URLs), so the links work wherever Grafana is served; the
Alertmanager view goes through the provisioned Alertmanager datasource.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from obsgen.artifacts.grafana import grafana
from obsgen.artifacts.grafana.provisioning import ALERTMANAGER_NAME
from obsgen.artifacts.grafana.variables import TRACE_ID_VAR
from obsgen.model import Journey


def journey_filter(journey: Journey) -> str:
    return f"journey={journey.name}"


def links(journey: Journey) -> list:
    label = journey_filter(journey)
    return [
        grafana.link("Alert rules and firing alerts", f"/alerting/list?{urlencode({'search': f'label:{label}'}, quote_via=quote)}",
                     f"Grafana's alert list, filtered to {label}", icon="bolt", keep_time=False),
        grafana.link("Alertmanager: alert groups",
                     f"/alerting/groups?{urlencode({'alertmanager': ALERTMANAGER_NAME, 'queryString': label}, quote_via=quote)}",
                     f"Alerts as Alertmanager groups and routes them, filtered to {label}", icon="bolt", keep_time=False),
        grafana.link("Alertmanager: silences", f"/alerting/silences?{urlencode({'alertmanager': ALERTMANAGER_NAME}, quote_via=quote)}",
                     "Active and expired silences", icon="bolt", keep_time=False),
        grafana.link("Runbook", journey.runbook_page,
                     "What each alert of this journey means and what to do", icon="doc", keep_time=False, new_tab=True),
        grafana.link("Jaeger: trace ${%s}" % TRACE_ID_VAR, f"{journey.trace_ui_url.rstrip('/')}/trace/${{{TRACE_ID_VAR}}}",
                     "The trace in the trace_id variable, in Jaeger's own UI", keep_time=False, new_tab=True),
    ]
