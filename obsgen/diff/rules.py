"""Rule-level diff: rules matched by identity (alert name + severity, record + labels)."""

from __future__ import annotations

from collections import Counter
from typing import Iterable

from obsgen.artifacts.built import RuleFile
from obsgen.diff import exprs


def _identity(rule: dict) -> tuple:
    labels = rule.get("labels") or {}
    if "alert" in rule:
        return ("alert", rule["alert"], labels.get("severity", ""))
    return ("record", rule.get("record", ""), tuple(sorted(labels.items())))


def _indexed(rule_files: Iterable[RuleFile]) -> dict[tuple, tuple[str, dict]]:
    """identity -> (group, rule); a repeated identity gets its occurrence number."""
    seen: Counter = Counter()
    rules = {}
    for rule_file in rule_files:
        for group in rule_file.groups:
            for rule in group.get("rules") or []:
                identity = _identity(rule)
                seen[identity] += 1
                rules[identity + (seen[identity],)] = (group.get("name", ""), rule)
    return rules


def _name(identity: tuple, ambiguous: set[str]) -> str:
    kind, name, detail, occurrence = identity
    if kind == "alert":
        shown = f"alert {name}" + (f" ({detail})" if name in ambiguous and detail else "")
    else:
        shown = f"record {name}" + ("{" + ",".join(f"{k}={v}" for k, v in detail) + "}" if detail else "")
    return shown + (f" #{occurrence}" if occurrence > 1 else "")


def _map_changes(what: str, old: dict, new: dict) -> list[str]:
    parts = []
    for key in sorted(set(old) | set(new)):
        if key not in new:
            parts.append(f"{what} {key} removed")
        elif key not in old:
            parts.append(f"{what} {key}={new[key]!r} added")
        elif old[key] != new[key]:
            parts.append(f"{what} {key} {old[key]!r} -> {new[key]!r}" if what == "label" else f"{what} {key} changed")
    return parts


def rule_changes(old: dict, new: dict, old_group: str, new_group: str) -> list[str]:
    parts = []
    if (change := exprs.describe(old.get("expr", ""), new.get("expr", ""))) is not None:
        parts.append(f"expr {change}")
    if old.get("for") != new.get("for"):
        parts.append(f"for {old.get('for') or 'none'} -> {new.get('for') or 'none'}")
    parts += _map_changes("label", old.get("labels") or {}, new.get("labels") or {})
    annotations = _map_changes("annotation", old.get("annotations") or {}, new.get("annotations") or {})
    if annotations:
        changed = [p.split()[1] for p in annotations]
        parts.append("annotations changed: " + ", ".join(changed))
    if old_group != new_group:
        parts.append(f"moved from group {old_group} to {new_group}")
    return parts


def diff_rules(old_files: Iterable[RuleFile], new_files: Iterable[RuleFile]) -> list[str]:
    old, new = _indexed(old_files), _indexed(new_files)
    # Page and ticket burn-rate alerts share a name: show the severity only where it disambiguates.
    names = Counter(i[1] for i in set(old) | set(new) if i[0] == "alert" and i[3] == 1)
    ambiguous = {name for name, count in names.items() if count > 1}
    lines = []
    for identity in sorted(set(old) | set(new), key=lambda i: (i[0] != "alert", i[1], str(i[2]), i[3])):
        shown = _name(identity, ambiguous)
        if identity not in new:
            lines.append(f"{shown}: removed")
        elif identity not in old:
            lines.append(f"{shown}: added")
        else:
            parts = rule_changes(old[identity][1], new[identity][1], old[identity][0], new[identity][0])
            if parts:
                lines.append(f"{shown}: " + "; ".join(parts))
    return lines
