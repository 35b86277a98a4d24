"""What every importer shares: the SLOs it found, the findings it reports, and the journey spec it writes.

An importer reads a source file with the spec loader's positioned YAML, turns each SLO it can express into
an ImportedSlo, and reports every source field it cannot carry over as a positioned finding. The journey
spec is written from these alone, then loaded back through obsgen's own loader: what it writes builds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import promql_parser as pp
import yaml

from obsgen.build.load import display_path, parse_journey, read_spec_text
from obsgen.errors import Diagnostic, SpecError
from obsgen.spec import rawpromql
from obsgen.spec.format import ALERT_NAME_PATTERN, NAME_PATTERN, TEXT_PATTERN, WINDOW_PLACEHOLDER
from obsgen.spec.positions import PositionedDocument

# Where the imported spec points for runbooks until its owner says otherwise: a reserved domain (RFC 2606).
PLACEHOLDER_RUNBOOK_URL = "https://runbooks.invalid/{name}"
PLACEHOLDER_TEAM = "unknown"
_MATCH_OPS = {"Equal": None, "Re": "regex", "NotEqual": "not", "NotRe": "notRegex"}


CALENDAR_PREFIX = "calendar:"


@dataclass(frozen=True)
class ImportedSlo:
    """One SLO as obsgen can express it: raw SLI queries with Sloth's window placeholder."""

    name: str
    objective: float
    total_query: str
    error_query: str | None = None
    good_query: str | None = None
    title: str | None = None
    description: str | None = None
    window: str | None = None  # a rolling duration, or CALENDAR_PREFIX + month | week
    alert_name: str | None = None
    page: bool = True
    ticket: bool = True
    origin: str = ""  # file:line:col of the source SLO, for the header


@dataclass
class Findings:
    """Source fields obsgen cannot carry over (warnings, fatal with --strict) and notes on what it assumed."""

    unmapped: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def unmappable(self, doc: PositionedDocument, path: tuple, message: str, *, key: bool = True) -> None:
        self.unmapped.append(doc.diagnostic(path, message, key=key))


@dataclass(frozen=True)
class ImportedSpec:
    name: str  # the journey's name: its file name when one source gives several journeys
    text: str


@dataclass(frozen=True)
class ImportResult:
    specs: list[ImportedSpec]
    findings: Findings

    def write(self, output: Path) -> list[Path]:
        """One journey to the file output; several (a multi-document source) to output/<journey>.yaml."""
        if len(self.specs) == 1 and not output.is_dir():
            output.write_text(self.specs[0].text, encoding="utf-8")
            return [output]
        output.mkdir(parents=True, exist_ok=True)
        written = [output / f"{spec.name}.yaml" for spec in self.specs]
        for path, spec in zip(written, self.specs):
            path.write_text(spec.text, encoding="utf-8")
        return written


@dataclass(frozen=True)
class Journey:
    """The journey-level facts an importer found: its name, service, team and labels."""

    service: str
    title: str | None = None
    team: str | None = None
    labels: dict[str, str] = field(default_factory=dict)


def read_source(path: Path) -> tuple[str, str]:
    """(text, the name errors show for it)."""
    shown = display_path(path)
    return read_spec_text(path, shown), shown


def invalid(doc: PositionedDocument, path: tuple, message: str) -> SpecError:
    return SpecError([doc.diagnostic(path, message)])


def nothing_imported(findings: Findings, doc: PositionedDocument, path: tuple, message: str) -> SpecError:
    """No SLO could be mapped: the reasons (the findings) are the problems, with the file's own."""
    return SpecError(findings.unmapped + [doc.diagnostic(path, message)])


def require(doc: PositionedDocument, node: Any, path: tuple, key: str, kind: type | tuple = str) -> Any:
    """node[key], which the source format requires, of the given type; else a positioned SpecError."""
    if not isinstance(node, dict):
        raise invalid(doc, path, f"expected a mapping with {key!r}")
    if key not in node:
        raise invalid(doc, path, f"{key!r} is required")
    value = node[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise invalid(doc, path + (key,), f"{key!r} must be {_KIND_WORDS.get(kind, 'a number')}")
    return value


_KIND_WORDS = {str: "text", list: "a list", dict: "a mapping", bool: "true or false"}


def report_unknown(findings: Findings, doc: PositionedDocument, node: dict, path: tuple, known: set[str],
                   why: str = "obsgen has no equivalent") -> None:
    """Every key of node that the importer does not read is reported, never dropped silently."""
    for key in node:
        if key not in known:
            findings.unmappable(doc, path + (key,), f"{_dotted(path + (key,))} is not imported: {why}")


def _dotted(path: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def obsgen_name(value: str) -> str:
    """A source name as an obsgen name ([a-z][a-z0-9_-]*): camel humps and other characters become '-'."""
    kebab = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", value).lower()
    kebab = re.sub(r"[^a-z0-9_-]+", "-", kebab).strip("-_")
    kebab = kebab if kebab[:1].isalpha() else f"x-{kebab}"
    return kebab[:63].rstrip("-_") or "imported"


def alert_name(value: str) -> str:
    """A source alert name as obsgen's (an upper-case letter, then letters and digits)."""
    if re.match(ALERT_NAME_PATTERN, value):
        return value
    words = re.split(r"[^A-Za-z0-9]+", value)
    joined = "".join(w[:1].upper() + w[1:] for w in words if w)
    return joined if re.match(ALERT_NAME_PATTERN, joined) else f"Slo{joined}"


def text(value: Any, findings: Findings, doc: PositionedDocument, path: tuple) -> str | None:
    """Free text as the spec takes it (one paragraph, no braces, at most 2000 characters)."""
    if value is None:
        return None
    flat = " ".join(str(value).split())
    if not re.match(TEXT_PATTERN, flat):
        findings.unmappable(doc, path, f"{_dotted(path)}: braces are dropped (spec text reaches Go templates)",
                            key=False)
        flat = flat.replace("{", "").replace("}", "")
    return flat[:2000] or None


def checked_query(doc: PositionedDocument, path: tuple, query: Any) -> str:
    """A source query obsgen can use: PromQL text with at most the window placeholder, selecting some series."""
    if not isinstance(query, str) or not query.strip():
        raise invalid(doc, path, f"{_dotted(path)} must be a PromQL query")
    reason = rawpromql.template_problem(query)
    if reason is None and not selectors(query):
        reason = "the query selects no series"
    if reason:
        raise invalid(doc, path, f"{_dotted(path)}: {reason}")
    return query.strip()


def selectors(expr: str) -> list[pp.VectorSelector]:
    """Every vector selector of a PromQL expression, in reading order."""
    found: list[pp.VectorSelector] = []
    _walk(pp.parse(expr.replace(WINDOW_PLACEHOLDER, "5m")), found)
    return found


def _walk(node: Any, found: list) -> None:
    if isinstance(node, pp.VectorSelector):
        found.append(node)
    elif isinstance(node, pp.MatrixSelector):
        found.append(node.vector_selector)
    elif isinstance(node, pp.BinaryExpr):
        _walk(node.lhs, found)
        _walk(node.rhs, found)
    elif isinstance(node, pp.Call):
        for arg in node.args:
            _walk(arg, found)
    elif isinstance(node, (pp.AggregateExpr, pp.ParenExpr, pp.UnaryExpr, pp.SubqueryExpr)):
        _walk(node.expr, found)


def match_of(selector: pp.VectorSelector) -> dict[str, Any]:
    """A selector's matchers in the spec's match form."""
    match: dict[str, Any] = {}
    for matcher in selector.matchers.matchers:
        if matcher.name == "__name__":
            continue
        kind = _MATCH_OPS[str(matcher.op).rsplit(".", 1)[-1]]
        match[matcher.name] = matcher.value if kind is None else {kind: matcher.value}
    return match


def render_spec(journey: Journey, slos: list[ImportedSlo], header: list[str], source: str) -> ImportedSpec:
    """The journey spec's YAML text, checked by obsgen's own loader."""
    name = obsgen_name(journey.service)
    document = {
        "apiVersion": "obsgen/v1",
        "kind": "Journey",
        "metadata": _metadata(journey, name),
        "spec": {"stages": [_stage(slo) for slo in slos], "slos": [_slo(slo) for slo in slos]},
    }
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, width=4096, allow_unicode=True)
    spec_text = "".join(f"# {line}".rstrip() + "\n" for line in header) + body
    try:
        parse_journey(spec_text, f"{source} (imported spec)")
    except SpecError as error:
        raise SpecError([Diagnostic(d.file, d.line, d.column, f"the imported spec does not build: {d.message}")
                         for d in error.diagnostics]) from None
    return ImportedSpec(name, spec_text)


def _metadata(journey: Journey, name: str) -> dict:
    metadata: dict[str, Any] = {"name": name}
    if journey.title:
        metadata["title"] = journey.title
    metadata |= {"service": name, "team": journey.team or PLACEHOLDER_TEAM,
                 "runbookBaseUrl": PLACEHOLDER_RUNBOOK_URL.format(name=name)}
    if journey.labels:
        metadata["labels"] = dict(journey.labels)
    return metadata


def _stage(slo: ImportedSlo) -> dict:
    """A stage for the SLO's dashboard rows and impact map, read from the selectors of its queries: the first
    of the total query counts its events, the first of the error (or good) query that differs its errors."""
    requests = selectors(slo.total_query)[0]
    stage: dict[str, Any] = {"name": slo.name, "kind": "http",
                             "requests": {"metric": requests.name, "match": match_of(requests)}}
    errors = next((s for s in selectors(slo.error_query or slo.good_query or "")
                   if str(s) != str(requests)), None)
    own = match_of(requests)
    if errors is not None and errors.name != requests.name:
        stage["errors"] = {"metric": errors.name, "match": match_of(errors)}
    elif errors is not None and any(own.get(k) != v for k, v in match_of(errors).items()):
        stage["errors"] = {"match": {k: v for k, v in match_of(errors).items() if own.get(k) != v}}
    else:  # a raw ratio, or good events: no selector says which events failed
        stage["errors"] = {"metric": requests.name, "match": {"obsgen_import": "errors-unknown"}}
    return stage


def _slo(slo: ImportedSlo) -> dict:
    sli = {"errorQuery": slo.error_query} if slo.error_query is not None else {"goodQuery": slo.good_query}
    entry: dict[str, Any] = {"name": slo.name}
    if slo.title:
        entry["title"] = slo.title
    if slo.description:
        entry["description"] = slo.description
    entry |= {"sli": sli | {"totalQuery": slo.total_query}, "stages": [slo.name], "objective": slo.objective}
    if slo.window and slo.window.startswith(CALENDAR_PREFIX):
        entry["calendar"] = {"period": slo.window[len(CALENDAR_PREFIX):], "timeZone": "UTC"}
    elif slo.window:
        entry["window"] = slo.window
    alerting = _alerting(slo)
    if alerting:
        entry["alerting"] = alerting
    return entry


# obsgen's default burn-rate windows (and Sloth's), by severity; a disabled severity drops its pairs.
_DEFAULT_BURNS = {"page": [(14.4, "1h", "5m"), (6, "6h", "30m")], "ticket": [(3, "1d", "2h"), (1, "3d", "6h")]}


def _alerting(slo: ImportedSlo) -> dict:
    if not slo.page and not slo.ticket:
        return {"enabled": False}
    alerting: dict[str, Any] = {"name": slo.alert_name} if slo.alert_name else {}
    if not (slo.page and slo.ticket):
        kept = "page" if slo.page else "ticket"
        alerting["burnRates"] = [{"severity": kept, "factor": f, "long": lo, "short": sh}
                                 for f, lo, sh in _DEFAULT_BURNS[kept]]
    return alerting


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line queries, so they stay readable."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def name_from(findings: Findings, value: str, what: str) -> str:
    """An obsgen name for a source name, with a note when it had to change."""
    name = obsgen_name(value)
    if name != value or not re.match(NAME_PATTERN, value):
        findings.notes.append(f"{what} {value!r} is named {name!r} in the spec")
    return name
