"""Which rules a promtool test group needs: the alerts it asserts, the rules its expressions read, and
(transitively) the recording rules those read.

promtool evaluates every rule of the test file's rule files at every step of every group, so a group
that asserts two alerts pays for all ~150 rules of a journey. Evaluating only what a group reads gives
the same results: a rule's value depends only on the series it selects, and a series a rule records
exists only if that rule is kept. The reading is conservative: any name-like token of an expression
(strings included, so `{__name__="x"}` counts) that names a recording rule keeps it; an expression that
matches metric names by pattern (`__name__`) keeps every rule; one that reads `ALERTS` keeps every
alert. Alert labels and annotations count too: their templates may `query`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Sequence

# A metric or recording-rule name (PromQL's identifier with colons), wherever it appears.
_NAME = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_ALERT_SERIES = frozenset({"ALERTS", "ALERTS_FOR_STATE"})
_BY_PATTERN = "__name__"

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


def _read_names(rule_or_expr: dict | str) -> set[str]:
    if isinstance(rule_or_expr, str):
        return set(_NAME.findall(rule_or_expr))
    texts = [str(rule_or_expr.get("expr", ""))]
    for key in ("labels", "annotations"):
        texts += [str(v) for v in (rule_or_expr.get(key) or {}).values()]
    return {name for text in texts for name in _NAME.findall(text)}


def needed(group: dict, rules: Rules) -> frozenset[Place]:
    """The places of every rule the test group's assertions depend on."""
    records, alerts, by_place = rules.index
    kept: set[Place] = set()
    found = [p for case in group.get("alert_rule_test") or [] for p in alerts.get(str(case.get("alertname")), [])]
    names = set().union(*(_read_names(str(case.get("expr", ""))) for case in group.get("promql_expr_test") or []))
    while True:
        if _BY_PATTERN in names:
            return frozenset(by_place)
        if names & _ALERT_SERIES:
            found += [p for places in alerts.values() for p in places]
        found += [p for name in names for p in records.get(name, [])]
        new = set(found) - kept
        if not new:
            return frozenset(kept)
        kept |= new
        names = set().union(*(_read_names(by_place[p]) for p in new))
        found = []


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
