"""Which rules a promtool test group needs: the alerts it asserts, the rules its expressions read, and
(transitively) the recording rules those read.

promtool evaluates every rule of the test file's rule files at every step of every group, so a group
that asserts two alerts pays for all ~150 rules of a journey. Evaluating only what a group reads gives
the same results: a rule's value depends only on the series it selects, and a series a rule records
exists only if that rule is kept. The reading is conservative: any name-like token of an expression
(strings included, so `{__name__="x"}` counts) that names a recording rule keeps it, unless every such
token is a selector whose equality matchers contradict the rule's own labels (a rule's labels override
its expression's, so `slo:sli_error:ratio_rate5m{slo="checkout"}` never reads the rule recording that name
with `slo: browse`); an expression that matches metric names by pattern (`__name__`) keeps every rule;
one that reads `ALERTS` keeps every alert. Alert labels and annotations count too: their templates may
`query` (there a selector's quotes are escaped, so it is read as a bare name, which keeps every rule of it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Sequence

# A metric or recording-rule name (PromQL's identifier with colons), wherever it appears.
_NAME = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_ALERT_SERIES = frozenset({"ALERTS", "ALERTS_FOR_STATE"})
_BY_PATTERN = "__name__"
# One label matcher of a selector: a label name (bare or quoted), an operator, a string literal.
_MATCHER = re.compile(r'''\s*([A-Za-z_][A-Za-z0-9_]*|"(?:[^"\\]|\\.)*")\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)\s*(,?)''')
_CLOSE = re.compile(r"\s*}")

# The equality matchers of one reading of a name ({} for a bare name, or a selector read only in part).
Equalities = dict[str, str]

# A rule's place: (rule file, group in that file, rule in that group).
Place = tuple[int, int, int]


@dataclass(frozen=True)
class Rules:
    """The rule files of a test file, as documents ({"groups": [...]}), indexed by what rules record and alert."""

    documents: tuple[dict, ...]

    def places(self) -> Iterable[tuple[Place, dict]]:
        for f, document in enumerate(self.documents):
            for g, group in enumerate(document.get("groups") or []):
                for r, rule in enumerate(group.get("rules") or []):
                    yield (f, g, r), rule

    @cached_property
    def index(self) -> tuple[dict[str, list[Place]], dict[str, list[Place]], dict[Place, dict]]:
        records: dict[str, list[Place]] = {}
        alerts: dict[str, list[Place]] = {}
        rules: dict[Place, dict] = {}
        for place, rule in self.places():
            rules[place] = rule
            if "record" in rule:
                records.setdefault(str(rule["record"]), []).append(place)
            else:
                alerts.setdefault(str(rule.get("alert")), []).append(place)
        return records, alerts, rules

    @cached_property
    def _reads_known(self) -> dict[Place | str, dict[str, list[Equalities]]]:
        return {}

    def reads(self, rule_or_expr: Place | str) -> dict[str, list[Equalities]]:
        """_reads of the rule at a place (or of an expression), worked out once: every test group of a file
        reads the same rules, and needed() only copies what it reads from here."""
        known = self._reads_known.get(rule_or_expr)
        if known is None:
            text_or_rule = rule_or_expr if isinstance(rule_or_expr, str) else self.index[2][rule_or_expr]
            known = self._reads_known[rule_or_expr] = _reads(text_or_rule)
        return known


def _texts(rule_or_expr: dict | str) -> list[str]:
    if isinstance(rule_or_expr, str):
        return [rule_or_expr]
    texts = [str(rule_or_expr.get("expr", ""))]
    for key in ("labels", "annotations"):
        texts += [str(v) for v in (rule_or_expr.get(key) or {}).values()]
    return texts


def _reads(rule_or_expr: dict | str) -> dict[str, list[Equalities]]:
    """Every name-like token of the rule's texts, with the equality matchers of each of its readings."""
    reads: dict[str, list[Equalities]] = {}
    for text in _texts(rule_or_expr):
        for token in _NAME.finditer(text):
            reads.setdefault(token.group(), []).append(_equalities(text, token.end()))
    return reads


def _equalities(text: str, at: int) -> Equalities:
    """The `label="value"` matchers of the selector braces right after a name; {} when there are none or
    they cannot all be read (a matcher left out only widens what the name may read)."""
    stripped = text[at:].lstrip()
    if not stripped.startswith("{"):
        return {}
    position, equal = len(text) - len(stripped) + 1, {}
    while not _CLOSE.match(text, position):
        matcher = _MATCHER.match(text, position)
        if matcher is None:
            return {}
        name, operator, literal, comma = matcher.groups()
        position = matcher.end()
        if operator == "=":
            label, value = _unquoted(name), _unquoted(literal)
            if label is None or value is None:
                return {}
            equal[label] = value
        if not comma and not _CLOSE.match(text, position):
            return {}
    return equal


def _unquoted(token: str) -> str | None:
    """A bare label name or a double-quoted / raw string literal's value; None for what JSON does not
    read the way PromQL does (single quotes, Go-only escapes)."""
    if token[0] == "`":
        return token[1:-1]
    if token[0] == "'":
        return None
    if token[0] != '"':
        return token
    try:
        return json.loads(token)
    except ValueError:
        return None


def _may_record(rule: dict, readings: list[Equalities]) -> bool:
    """Whether some reading may select the series the recording rule writes: its own labels override its
    expression's, so one that sets a label the reading asks for with another value never matches."""
    labels = {str(k): "" if v is None else str(v) for k, v in (rule.get("labels") or {}).items()}
    return any(all(labels.get(k, v) == v for k, v in equal.items()) for equal in readings)


def needed(group: dict, rules: Rules) -> frozenset[Place]:
    """The places of every rule the test group's assertions depend on."""
    records, alerts, by_place = rules.index
    kept: set[Place] = set()
    found = [p for case in group.get("alert_rule_test") or [] for p in alerts.get(str(case.get("alertname")), [])]
    reads: dict[str, list[Equalities]] = {}
    for case in group.get("promql_expr_test") or []:
        _merge(reads, rules.reads(str(case.get("expr", ""))))
    while True:
        if _BY_PATTERN in reads:
            return frozenset(by_place)
        if reads.keys() & _ALERT_SERIES:
            found += [p for places in alerts.values() for p in places]
        found += [p for name, readings in reads.items() for p in records.get(name, [])
                  if _may_record(by_place[p], readings)]
        new = set(found) - kept
        if not new:
            return frozenset(kept)
        kept |= new
        reads = {}
        for p in new:
            _merge(reads, rules.reads(p))
        found = []


def _merge(into: dict[str, list[Equalities]], reads: dict[str, list[Equalities]]) -> None:
    for name, readings in reads.items():
        into.setdefault(name, []).extend(readings)


def scoped(rules: Rules, keep: frozenset[Place]) -> tuple[list[dict], list[str]]:
    """The rule documents holding only the kept rules, every group keeping its name, order and settings
    (interval, limit, ...), so each kept rule is evaluated exactly when it was; groups left empty go.
    Also the names of the groups kept, for the test file's group_eval_order."""
    documents, names = [], []
    for f, document in enumerate(rules.documents):
        groups = []
        for g, group in enumerate(document.get("groups") or []):
            kept = [rule for r, rule in enumerate(group.get("rules") or []) if (f, g, r) in keep]
            if kept:
                groups.append({**group, "rules": kept})
                names.append(str(group.get("name")))
        documents.append({**document, "groups": groups})
    return documents, names


def eval_order(order: Sequence[str] | None, kept_groups: Sequence[str]) -> list[str] | None:
    """group_eval_order without the groups scoping left out (promtool refuses a name it cannot find)."""
    if order is None:
        return None
    present = set(kept_groups)
    return [name for name in order if name in present]
