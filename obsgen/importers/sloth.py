"""Sloth's SLO specs as an obsgen journey: `version: prometheus/v1` files and the Kubernetes
`sloth.slok.dev/v1` PrometheusServiceLevel, whose spec is the same with camelCase keys.

Sloth's SLIs are already raw PromQL with its `{{.window}}` placeholder, which obsgen's raw SLI takes as is;
its default period (30d) and alert windows (14.4x/6x page, 3x/1x ticket) are obsgen's defaults too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from obsgen.errors import Diagnostic, SpecError
from obsgen.importers.common import (Findings, ImportedSlo, ImportedSpec, ImportResult, Journey, alert_name,
                                     checked_query, invalid, name_from, nothing_imported, read_source, render_spec,
                                     report_unknown, require, text)
from obsgen.spec.format import LABEL_NAME_PATTERN, TEXT_PATTERN
from obsgen.spec.positions import PositionedDocument, load_positioned_documents

PLAIN_VERSION = "prometheus/v1"
K8S_API_VERSION = "sloth.slok.dev/v1"
K8S_KIND = "PrometheusServiceLevel"
# The keys that differ between the two forms (plain: snake_case, Kubernetes: camelCase).
_K8S_KEYS = {"error_query": "errorQuery", "total_query": "totalQuery", "error_ratio_query": "errorRatioQuery",
             "page_alert": "pageAlert", "ticket_alert": "ticketAlert", "slo_plugins": "sloPlugins"}
_WHY_LABELS = ("obsgen sets alert labels per journey (metadata.labels), not per SLO or per alert, and writes "
               "its own summaries and runbook links")


class _Keys:
    def __init__(self, kubernetes: bool):
        self.kubernetes = kubernetes

    def __call__(self, key: str) -> str:
        return _K8S_KEYS.get(key, key) if self.kubernetes else key


def import_sloth(path: Path) -> ImportResult:
    """Every Sloth spec of the file (Sloth reads `---`-separated ones too), one journey each."""
    source, shown = read_source(path)
    docs = load_positioned_documents(source, shown)
    problems = [p for doc in docs for p in doc.problems]
    if problems or not docs:
        raise SpecError(problems or [Diagnostic(shown, 1, 1, "the file holds no Sloth spec")])
    findings = Findings()
    specs = [_journey(doc, findings, shown) for doc in docs]
    seen: dict[str, PositionedDocument] = {}
    for doc, spec in zip(docs, specs):
        if spec.name in seen:
            first = seen[spec.name].at(("service",) if "service" in seen[spec.name].data else ("spec", "service"))
            raise invalid(doc, (), f"a second spec for the journey {spec.name!r} (the first is at line {first[0]}); "
                                   f"obsgen writes one journey per service")
        seen[spec.name] = doc
    return ImportResult(specs, findings)


def _journey(doc: PositionedDocument, findings: Findings, shown: str) -> ImportedSpec:
    spec, base, keys, form = _spec_root(doc, findings)
    service = require(doc, spec, base, "service")
    journey = Journey(service=name_from(findings, service, "service"), title=service,
                      labels=_labels(doc, findings, spec.get("labels"), base + ("labels",)))
    report_unknown(findings, doc, spec, base, {"version", "service", "labels", "slos"})
    slos = [slo for i, item in enumerate(require(doc, spec, base, "slos", list))
            if (slo := _slo(doc, findings, keys, item, base + ("slos", i))) is not None]
    if not slos:
        raise nothing_imported(findings, doc, base + ("slos",),
                               "no SLO of this spec can be imported: every one has fields obsgen cannot map")
    header = [f"Imported by `obsgen import sloth` from {shown} ({form}).",
              "Sloth's 30d period and alert windows are obsgen's defaults. Set metadata.team and",
              "metadata.runbookBaseUrl: the source has none. Sources of each SLO:"]
    header += [f"  {slo.name}: {slo.origin}" for slo in slos]
    return render_spec(journey, slos, header, shown)


def _spec_root(doc: PositionedDocument, findings: Findings) -> tuple[dict, tuple, _Keys, str]:
    data = doc.data
    if not isinstance(data, dict):
        raise invalid(doc, (), "a Sloth spec is a mapping (version: prometheus/v1, or a PrometheusServiceLevel)")
    if data.get("version") == PLAIN_VERSION:
        return data, (), _Keys(False), f"Sloth {PLAIN_VERSION}"
    if data.get("apiVersion") == K8S_API_VERSION and data.get("kind") == K8S_KIND:
        report_unknown(findings, doc, data, (), {"apiVersion", "kind", "metadata", "spec"},
                       "Kubernetes fields of the manifest")
        meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        where = "/".join(str(meta[k]) for k in ("namespace", "name") if k in meta)
        return require(doc, data, (), "spec", dict), ("spec",), _Keys(True), f"{K8S_KIND} {where}".strip()
    where = ("version",) if "version" in data else ("apiVersion",) if "apiVersion" in data else ()
    raise invalid(doc, where, f"not a Sloth spec: expected version: {PLAIN_VERSION}, or apiVersion: "
                              f"{K8S_API_VERSION} with kind: {K8S_KIND}")


def _labels(doc: PositionedDocument, findings: Findings, labels: Any, path: tuple) -> dict[str, str]:
    """The service's labels that obsgen can put on alerts; the others are reported."""
    if labels is None:
        return {}
    if not isinstance(labels, dict):
        raise invalid(doc, path, "labels must be a mapping of label names to values")
    kept = {}
    for name, value in labels.items():
        if not re.match(LABEL_NAME_PATTERN, name) or not re.match(TEXT_PATTERN, str(value)):
            findings.unmappable(doc, path + (name,), f"label {name!r} is not imported: obsgen's labels are "
                                                     f"[a-zA-Z_][a-zA-Z0-9_]* with values without braces")
            continue
        kept[name] = str(value)
    return kept


def _slo(doc: PositionedDocument, findings: Findings, keys: _Keys, item: Any, path: tuple) -> ImportedSlo | None:
    name = require(doc, item, path, "name")
    objective = require(doc, item, path, "objective", (int, float))
    if not 0 < objective < 100:
        raise invalid(doc, path + ("objective",), "objective must be a percentage between 0 and 100")
    report_unknown(findings, doc, item, path, {"name", "objective", "description", "sli", "alerting"})
    queries = _sli(doc, findings, keys, require(doc, item, path, "sli", dict), path + ("sli",))
    if queries is None:
        return None
    alerting = item.get("alerting") or {}
    page, ticket = _alerts(doc, findings, keys, alerting, path + ("alerting",))
    if "name" in alerting:
        require(doc, alerting, path + ("alerting",), "name")
    line, column = doc.at(path)
    return ImportedSlo(
        name=name_from(findings, name, "SLO"), objective=float(objective), **queries,
        description=text(item.get("description"), findings, doc, path + ("description",)),
        alert_name=alert_name(alerting["name"]) if isinstance(alerting.get("name"), str) else None,
        page=page, ticket=ticket, origin=f"{doc.file}:{line}:{column}")


def _sli(doc: PositionedDocument, findings: Findings, keys: _Keys, sli: dict, path: tuple) -> dict | None:
    report_unknown(findings, doc, sli, path, {"events", "raw", "plugin"})
    if "plugin" in sli:
        findings.unmappable(doc, path + ("plugin",), "sli.plugin is not imported: a Sloth SLI plugin is Go code "
                                                     "that only Sloth runs; this SLO is left out (write its queries "
                                                     "as sli.events)")
        return None
    if "events" in sli:
        events, where = require(doc, sli, path, "events", dict), path + ("events",)
        report_unknown(findings, doc, events, where, {keys("error_query"), keys("total_query")})
        return {"error_query": checked_query(doc, where + (keys("error_query"),), events.get(keys("error_query"))),
                "total_query": checked_query(doc, where + (keys("total_query"),), events.get(keys("total_query")))}
    if "raw" in sli:
        raw, where = require(doc, sli, path, "raw", dict), path + ("raw",)
        report_unknown(findings, doc, raw, where, {keys("error_ratio_query")})
        ratio = checked_query(doc, where + (keys("error_ratio_query"),), raw.get(keys("error_ratio_query")))
        # A ratio over itself-shaped ones: the same labels, so each series divides by 1.
        return {"error_query": ratio, "total_query": f"0 * (\n{ratio}\n) + 1"}
    raise invalid(doc, path, "sli needs events, raw or plugin")


def _alerts(doc: PositionedDocument, findings: Findings, keys: _Keys, alerting: Any,
            path: tuple) -> tuple[bool, bool]:
    """(page enabled, ticket enabled); labels and annotations are reported."""
    if not isinstance(alerting, dict):
        raise invalid(doc, path, "alerting must be a mapping")
    report_unknown(findings, doc, alerting, path, {"name", keys("page_alert"), keys("ticket_alert")}, _WHY_LABELS)
    enabled = []
    for severity in ("page_alert", "ticket_alert"):
        alert = alerting.get(keys(severity)) or {}
        where = path + (keys(severity),)
        if not isinstance(alert, dict):
            raise invalid(doc, where, f"{keys(severity)} must be a mapping")
        report_unknown(findings, doc, alert, where, {"disable"}, _WHY_LABELS)
        enabled.append(alert.get("disable") is not True)
    return enabled[0], enabled[1]
