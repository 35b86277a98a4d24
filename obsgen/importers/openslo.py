"""OpenSLO v1 SLOs over Prometheus queries as an obsgen journey.

An SLO's indicator is inline or an SLI document of the same file (indicatorRef). Each objective becomes one
obsgen SLO with a raw SLI: a ratioMetric's counters are rated over obsgen's `{{.window}}`, a thresholdMetric
becomes the share of time slices (timeSliceWindow, default 1m) whose value breaks the objective's op/value.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import promql_parser as pp

from obsgen import calendar_window
from obsgen.errors import SpecError
from obsgen.importers.common import (CALENDAR_PREFIX, Findings, ImportedSlo, ImportResult, Journey, checked_query,
                                     invalid, name_from, nothing_imported, read_source, render_spec, report_unknown,
                                     require, text)
from obsgen.spec.format import WINDOW_PLACEHOLDER
from obsgen.spec.positions import PositionedDocument, load_positioned_documents

API_VERSION = "openslo/v1"
DEFAULT_SLICE = "1m"
# OpenSLO's duration units beyond Prometheus' (month, quarter, year), as the rolling days obsgen uses.
_LONG_UNITS = {"M": 30, "Q": 90, "Y": 365}
# The comparison that makes a slice bad, for each objective op that makes it good.
_BAD_WHEN = {"lt": ">=", "lte": ">", "gt": "<=", "gte": "<"}
_SLO_KEYS = {"description", "service", "indicator", "indicatorRef", "budgetingMethod", "timeWindow", "objectives",
             "alertPolicies"}


class _Source:
    """The file's documents: SLOs in order, SLIs by name, and where each came from."""

    def __init__(self, docs: list[PositionedDocument], findings: Findings):
        self.slos: list[PositionedDocument] = []
        self.slis: dict[str, PositionedDocument] = {}
        for doc in docs:
            self._add(doc, findings)

    def _add(self, doc: PositionedDocument, findings: Findings) -> None:
        data = doc.data
        if not isinstance(data, dict):
            raise invalid(doc, (), "an OpenSLO document is a mapping with apiVersion, kind, metadata and spec")
        if data.get("apiVersion") != API_VERSION:
            raise invalid(doc, ("apiVersion",), f"apiVersion {data.get('apiVersion')!r} is not imported; "
                                                f"obsgen reads {API_VERSION}")
        kind = require(doc, data, (), "kind")
        if kind == "SLO":
            self.slos.append(doc)
        elif kind == "SLI":
            self.slis[require(doc, require(doc, data, (), "metadata", dict), ("metadata",), "name")] = doc
        else:
            findings.unmappable(doc, ("kind",), f"kind {kind} is not imported: obsgen reads SLO and SLI documents "
                                                "(its own alerts replace alert policies)")


def import_openslo(path: Path) -> ImportResult:
    source, shown = read_source(path)
    docs = load_positioned_documents(source, shown)
    problems = [p for doc in docs for p in doc.problems]
    if problems:
        raise SpecError(problems)
    if not docs:
        raise SpecError([PositionedDocument(shown, None).diagnostic((), "the file holds no document")])
    findings = Findings()
    found = _Source(docs, findings)
    if not found.slos:
        raise invalid(docs[0], (), "no SLO document (kind: SLO) in the file")
    slos = [slo for doc in found.slos for slo in _slos(doc, found, findings)]
    if not slos:
        raise nothing_imported(findings, found.slos[0], (), 
                               "no SLO of this file can be imported: every one has fields obsgen cannot map")
    services = sorted({doc.data["spec"]["service"] for doc in found.slos})
    journey = Journey(service=name_from(findings, services[0], "service"), title=services[0])
    if len(services) > 1:
        findings.notes.append(f"the SLOs name the services {', '.join(services)}; obsgen writes one journey, "
                              f"named after {services[0]}")
    header = [f"Imported by `obsgen import openslo` from {shown} (OpenSLO v1).",
              "Set metadata.team and metadata.runbookBaseUrl: the source has none. Sources of each SLO:"]
    header += [f"  {slo.name}: {slo.origin}" for slo in slos]
    return ImportResult([render_spec(journey, slos, header, shown)], findings)


def _slos(doc: PositionedDocument, found: _Source, findings: Findings) -> list[ImportedSlo]:
    meta = require(doc, doc.data, (), "metadata", dict)
    report_unknown(findings, doc, meta, ("metadata",), {"name", "displayName"})
    spec = require(doc, doc.data, (), "spec", dict)
    require(doc, spec, ("spec",), "service")
    report_unknown(findings, doc, spec, ("spec",), _SLO_KEYS)
    if spec.get("alertPolicies"):
        findings.unmappable(doc, ("spec", "alertPolicies"), "spec.alertPolicies is not imported: obsgen writes its "
                                                            "own multi-window burn-rate alerts")
    window = _window(doc, spec, findings)
    method = require(doc, spec, ("spec",), "budgetingMethod")
    if method not in ("Occurrences", "Timeslices"):
        raise invalid(doc, ("spec", "budgetingMethod"), "budgetingMethod must be Occurrences or Timeslices")
    sli_doc, sli_path, sli = _indicator(doc, spec, found)
    base = ImportedSlo(name=name_from(findings, require(doc, meta, ("metadata",), "name"), "SLO"),
                       objective=0, total_query="", window=window,
                       title=text(meta.get("displayName"), findings, doc, ("metadata", "displayName")),
                       description=text(spec.get("description"), findings, doc, ("spec", "description")))
    objectives = require(doc, spec, ("spec",), "objectives", list)
    made = []
    for i, objective in enumerate(objectives):
        slo = _objective(doc, ("spec", "objectives", i), objective, base, len(objectives) > 1, findings)
        queries = _queries(sli_doc, sli_path, sli, doc, ("spec", "objectives", i), objective, method, findings)
        if queries is not None:
            made.append(replace(slo, **queries))
    return made


def _indicator(doc: PositionedDocument, spec: dict, found: _Source) -> tuple[PositionedDocument, tuple, dict]:
    """(document, path, SLI spec) of the SLO's indicator, inline or referred to."""
    if "indicator" in spec:
        inline = require(doc, spec, ("spec",), "indicator", dict)
        return doc, ("spec", "indicator", "spec"), require(doc, inline, ("spec", "indicator"), "spec", dict)
    ref = require(doc, spec, ("spec",), "indicatorRef")
    if ref not in found.slis:
        raise invalid(doc, ("spec", "indicatorRef"), f"indicatorRef {ref!r}: no SLI document of that name in "
                                                     f"this file (obsgen imports one file at a time)")
    sli_doc = found.slis[ref]
    return sli_doc, ("spec",), require(sli_doc, sli_doc.data, (), "spec", dict)


# OpenSLO calendar durations obsgen has a calendar period for (docs/error-budgets.md, "Calendar windows").
_CALENDAR_PERIODS = {"M": "month", "w": "week"}


def _calendar_period(window: dict, count: int, unit: str) -> tuple[str | None, str]:
    """obsgen's calendar period for an OpenSLO calendar window, or None and why there is none: obsgen's periods
    are one UTC month or ISO week, starting on the 1st or a Monday at 00:00."""
    period = _CALENDAR_PERIODS.get(unit) if count == 1 else None
    if period is None:
        return None, "obsgen's calendar windows are 1M (a month) or 1w (an ISO week)"
    calendar = window.get("calendar") if isinstance(window.get("calendar"), dict) else {}
    if str(calendar.get("timeZone", "UTC")) not in calendar_window.UTC_NAMES:
        return None, f"time zone {calendar.get('timeZone')!r}: obsgen's calendar periods are UTC"
    start = str(calendar.get("startTime", "1970-01-05 00:00:00"))
    try:
        when = datetime.datetime.strptime(start, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None, f"startTime {start!r} is not YYYY-MM-DD HH:MM:SS"
    aligned = when.time() == datetime.time() and (when.day == 1 if period == "month" else when.weekday() == 0)
    if not aligned:
        return None, f"startTime {start} is not the start of a {period} (obsgen's periods start on the 1st or a Monday, 00:00)"
    return period, ""


def _window(doc: PositionedDocument, spec: dict, findings: Findings) -> str:
    windows = require(doc, spec, ("spec",), "timeWindow", list)
    if len(windows) != 1 or not isinstance(windows[0], dict):
        raise invalid(doc, ("spec", "timeWindow"), "timeWindow must hold exactly one window")
    path = ("spec", "timeWindow", 0)
    window = windows[0]
    duration = require(doc, window, path, "duration")
    match = re.fullmatch(r"([1-9][0-9]*)([mhdwMQY])", duration)
    if match is None:
        raise invalid(doc, path + ("duration",), f"duration {duration!r} is not an OpenSLO duration (e.g. 28d, 1M)")
    count, unit = int(match.group(1)), match.group(2)
    result = f"{count * _LONG_UNITS[unit]}d" if unit in _LONG_UNITS else duration
    if window.get("isRolling") is not True or "calendar" in window:
        period, reason = _calendar_period(window, count, unit)
        if period is not None:
            findings.notes.append(f"timeWindow {duration} is the calendar {period} (UTC)")
            report_unknown(findings, doc, window, path, {"duration", "isRolling", "calendar"})
            return f"{CALENDAR_PREFIX}{period}"
        where = path + ("calendar",) if "calendar" in window else path + ("isRolling",)
        findings.unmappable(doc, where, f"this calendar window is not imported ({reason}); mapped to a rolling {result}")
    elif unit in _LONG_UNITS:
        findings.notes.append(f"timeWindow {duration} is the rolling window {result}")
    report_unknown(findings, doc, window, path, {"duration", "isRolling", "calendar"})
    return result


def _objective(doc: PositionedDocument, path: tuple, objective: Any, base: ImportedSlo, several: bool,
               findings: Findings) -> ImportedSlo:
    if not isinstance(objective, dict):
        raise invalid(doc, path, "an objective is a mapping with target")
    report_unknown(findings, doc, objective, path, {"displayName", "op", "value", "target", "targetPercent",
                                                    "timeSliceTarget", "timeSliceWindow"})
    if "targetPercent" in objective:
        percent = require(doc, objective, path, "targetPercent", (int, float))
    else:
        percent = require(doc, objective, path, "target", (int, float)) * 100
    if not 0 < percent < 100:
        raise invalid(doc, path, "the objective's target must be between 0 and 1 (targetPercent 0 and 100)")
    name, title = base.name, base.title
    if several:
        label = str(objective.get("displayName") or path[-1] + 1)
        name = name_from(findings, f"{base.name}-{label}", "objective")
        title = f"{base.title or base.name}: {label}"
    line, column = doc.at(path)
    return replace(base, name=name, title=text(title, findings, doc, path), objective=round(float(percent), 10),
                   origin=f"{doc.file}:{line}:{column}")


def _queries(sli_doc: PositionedDocument, sli_path: tuple, sli: dict, slo_doc: PositionedDocument, obj_path: tuple,
             objective: dict, method: str, findings: Findings) -> dict | None:
    report_unknown(findings, sli_doc, sli, sli_path, {"description", "ratioMetric", "thresholdMetric"})
    if "ratioMetric" in sli:
        if method == "Timeslices" or "timeSliceTarget" in objective:
            findings.unmappable(slo_doc, obj_path, "Timeslices over a ratioMetric is not imported: obsgen counts "
                                                   "the ratio's events (Occurrences)")
        return _ratio(sli_doc, sli_path + ("ratioMetric",), require(sli_doc, sli, sli_path, "ratioMetric", dict),
                      findings)
    if "thresholdMetric" in sli:
        metric = require(sli_doc, sli, sli_path, "thresholdMetric", dict)
        query = _prometheus_query(sli_doc, sli_path + ("thresholdMetric",), metric, findings)
        return None if query is None else _threshold(slo_doc, obj_path, objective, query)
    raise invalid(sli_doc, sli_path, "an SLI needs ratioMetric or thresholdMetric")


def _prometheus_query(doc: PositionedDocument, path: tuple, metric: dict, findings: Findings) -> str | None:
    source = require(doc, metric, path, "metricSource", dict)
    where = path + ("metricSource",)
    kind = require(doc, source, where, "type")
    if kind.lower() != "prometheus":
        findings.unmappable(doc, where + ("type",), f"metricSource type {kind} is not imported: obsgen writes "
                                                    f"Prometheus rules; this SLO is left out")
        return None
    report_unknown(findings, doc, source, where, {"type", "spec", "metricSourceRef"})
    spec = require(doc, source, where, "spec", dict)
    report_unknown(findings, doc, spec, where + ("spec",), {"query"})
    return checked_query(doc, where + ("spec", "query"), spec.get("query"))


def _ratio(doc: PositionedDocument, path: tuple, ratio: dict, findings: Findings) -> dict | None:
    report_unknown(findings, doc, ratio, path, {"counter", "good", "bad", "total", "rawType", "raw"})
    counter = ratio.get("counter") is True
    if "raw" in ratio:
        return _raw_ratio(doc, path, ratio, findings)
    if ("good" in ratio) == ("bad" in ratio):
        raise invalid(doc, path, "a ratioMetric needs exactly one of good and bad, with total")
    side = "good" if "good" in ratio else "bad"
    queries = {}
    for key in (side, "total"):
        query = _prometheus_query(doc, path + (key,), require(doc, ratio, path, key, dict), findings)
        if query is None:
            return None
        queries[key] = _over_window(doc, path + (key, "metricSource", "spec", "query"), query, counter)
    field = "good_query" if side == "good" else "error_query"
    return {field: queries[side], "total_query": queries["total"]}


def _raw_ratio(doc: PositionedDocument, path: tuple, ratio: dict, findings: Findings) -> dict | None:
    query = _prometheus_query(doc, path + ("raw",), require(doc, ratio, path, "raw", dict), findings)
    if query is None:
        return None
    kind = require(doc, ratio, path, "rawType")
    if kind not in ("success", "failure"):
        raise invalid(doc, path + ("rawType",), "rawType must be success or failure")
    total = f"0 * (\n{query}\n) + 1"
    return {"good_query" if kind == "success" else "error_query": query, "total_query": total}


def _over_window(doc: PositionedDocument, path: tuple, query: str, counter: bool) -> str:
    """The events a query counts over obsgen's window: a counter's rate, a gauge's sum over time. A query
    that already holds the window placeholder (as Sloth writes OpenSLO) is taken as it is."""
    if WINDOW_PLACEHOLDER in query:
        return query
    node = pp.parse(query)
    grouping = ""
    if isinstance(node, pp.AggregateExpr) and str(node.op) == "sum" and isinstance(node.expr, pp.VectorSelector):
        grouping = f" {node.modifier}" if node.modifier else ""
        node = node.expr
    if not isinstance(node, pp.VectorSelector) or node.offset is not None or node.at is not None:
        raise invalid(doc, path, "obsgen imports a ratio's query when it is a selector (without offset or @), or "
                                 "sum(selector), which it rates over each SLI window; write it so, or as raw "
                                 "PromQL with {{.window}}")
    function = "rate" if counter else "sum_over_time"
    return f"sum{grouping}({function}({node}[{WINDOW_PLACEHOLDER}]))"


def _threshold(doc: PositionedDocument, path: tuple, objective: dict, query: str) -> dict:
    """Bad slices / all slices: each timeSliceWindow, the query compared with the objective's value."""
    op = require(doc, objective, path, "op")
    if op not in _BAD_WHEN:
        raise invalid(doc, path + ("op",), f"op must be one of {', '.join(_BAD_WHEN)}")
    value = require(doc, objective, path, "value", (int, float))
    slice_window = objective.get("timeSliceWindow", DEFAULT_SLICE)
    if not isinstance(slice_window, str) or not re.fullmatch(r"[1-9][0-9]*[smh]", slice_window):
        raise invalid(doc, path + ("timeSliceWindow",), "timeSliceWindow must be a duration such as 1m or 5m")
    inner = f"(\n{query}\n)"
    bad = f"sum(sum_over_time(({inner} {_BAD_WHEN[op]} bool {value:g})[{WINDOW_PLACEHOLDER}:{slice_window}]))"
    total = f"sum(count_over_time({inner}[{WINDOW_PLACEHOLDER}:{slice_window}]))"
    return {"error_query": bad, "total_query": total}
