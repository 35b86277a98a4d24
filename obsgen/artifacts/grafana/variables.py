"""Template variables: where data comes from, which stages/SLOs/dependencies to show, which trace.

``stage``, ``slo`` and ``dependency`` are the ``var-…`` parameters of the alerts' ``dashboard_url``
annotation (``obsgen.artifacts.prometheus.alerts_common``), so an alert opens the dashboard focused on its subject.
"""

from __future__ import annotations

from grafanalib import core as gl

from obsgen.artifacts.grafana import grafana
from obsgen.artifacts.grafana.provisioning import JAEGER_UID, PROMETHEUS_UID
from obsgen.artifacts.grafana.queries import DEPENDENCY_VAR, SLO_VAR, STAGE_VAR
from obsgen.model import Journey

TRACE_ID_VAR, CORRELATION_ID_VAR, TRACE_SERVICE_VAR = "trace_id", "correlation_id", "trace_service"
ALL = {"selected": True, "text": ["All"], "value": ["$__all"]}


def datasource_variable(name: str, plugin: str, label: str, uid: str, description: str) -> dict:
    template = gl.Template(name=name, query=plugin, type="datasource", label=label, default=uid,
                           hide=gl.SHOW, refresh=gl.REFRESH_ON_DASHBOARD_LOAD, regex="")
    return grafana.variable(template, current={"selected": True, "text": label, "value": uid}, options=[],
                            description=description)


def choice_variable(name: str, label: str, values: list[str], description: str) -> dict:
    template = gl.Template(name=name, query=",".join(values), type="custom", label=label, multi=True,
                           includeAll=True, default="All", refresh=gl.REFRESH_NEVER, sort=gl.SORT_DISABLED)
    options = [{"selected": True, "text": "All", "value": "$__all"}]
    options += [{"selected": False, "text": v, "value": v} for v in values]
    return grafana.variable(template, current=ALL, options=options, description=description)


def _textbox(name: str, label: str, default: str, description: str) -> dict:
    template = gl.Template(name=name, query=default, type="textbox", label=label, default=default)
    current = {"selected": False, "text": default, "value": default}
    return grafana.variable(template, current=current, options=[current], description=description)


def variables(journey: Journey) -> list[dict]:
    found = [
        datasource_variable(grafana.PROMETHEUS_VAR, "prometheus", "Prometheus", PROMETHEUS_UID,
                            "Prometheus that evaluates this journey's recording rules."),
        datasource_variable(grafana.TRACES_VAR, "jaeger", "Jaeger", JAEGER_UID,
                            "Jaeger that stores the journey's traces."),
        choice_variable(STAGE_VAR, "Stage", [s.name for s in journey.stages],
                        "Stages shown in the per-stage summaries."),
    ]
    if journey.slos:
        found.append(choice_variable(SLO_VAR, "SLO", [s.name for s in journey.slos], "SLOs shown in the SLO summaries."))
    if journey.dependencies:
        found.append(choice_variable(DEPENDENCY_VAR, "Dependency", [d.name for d in journey.dependencies],
                                     "Dependencies shown in the dependency health summary."))
    found += [
        _textbox(TRACE_ID_VAR, "Trace ID", "", "Trace shown in the trace panel: paste one from a log line, "
                 "an exemplar or the correlation-ID search."),
        _textbox(CORRELATION_ID_VAR, "Correlation ID", "", "X-Correlation-ID of one request: finds its traces "
                 "(span attribute correlation_id)."),
        _textbox(TRACE_SERVICE_VAR, "Traced service", journey.trace_service, "Service name the traces are searched in."),
    ]
    return found
