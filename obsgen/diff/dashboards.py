"""Dashboard-level diff: dashboards by uid, panels by id, queries by refId, variables by name."""

from __future__ import annotations

import json
from typing import Iterable, Iterator

from obsgen.diff import exprs

# Set by Grafana on save, or layout only: not what a reviewer of a spec change looks for.
IGNORED_DASHBOARD_KEYS = {"id", "version", "iteration", "panels", "templating"}
IGNORED_PANEL_KEYS = {"id", "title", "type", "targets", "panels", "gridPos", "fieldConfig"}
MAX_SETTINGS_SHOWN = 3
MAX_TEXT_SHOWN = 60


def flatten_panels(panels: Iterable[dict]) -> Iterator[dict]:
    """Rows hold their panels when collapsed; compare every panel wherever it sits."""
    for panel in panels or []:
        yield panel
        yield from flatten_panels(panel.get("panels") or [])


def _leaves(value, path: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for key, sub in value.items():
            out.update(_leaves(sub, f"{path}.{key}" if path else str(key)))
        return out
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        out = {}
        for index, sub in enumerate(value):
            out.update(_leaves(sub, f"{path}[{index}]"))
        return out
    return {path: value}


def settings_changes(what: str, old, new) -> list[str]:
    """Leaf-level changes of nested settings, summarised when there are many."""
    a, b = _leaves(old or {}), _leaves(new or {})
    changed = [k for k in sorted(set(a) | set(b)) if a.get(k, "<unset>") != b.get(k, "<unset>")]
    if not changed:
        return []
    if len(changed) > MAX_SETTINGS_SHOWN:
        return [f"{what}: {len(changed)} settings changed ({', '.join(changed[:MAX_SETTINGS_SHOWN])}, …)"]
    return [f"{what} {k} {_change(a.get(k, '<unset>'), b.get(k, '<unset>'))}" for k in changed]


def _change(old, new) -> str:
    """Long texts (descriptions) read better as 'changed' than as two paragraphs on one line."""
    if any(isinstance(v, str) and len(v) > MAX_TEXT_SHOWN for v in (old, new)):
        return "changed"
    return f"{old!r} -> {new!r}"


def _threshold_values(panel: dict) -> list:
    steps = (((panel.get("fieldConfig") or {}).get("defaults") or {}).get("thresholds") or {}).get("steps") or []
    return [step.get("value") for step in steps if isinstance(step, dict)]


def _target_changes(old: dict, new: dict) -> list[str]:
    old_targets = {t.get("refId", str(i)): t for i, t in enumerate(old.get("targets") or [])}
    new_targets = {t.get("refId", str(i)): t for i, t in enumerate(new.get("targets") or [])}
    parts = []
    for ref in sorted(set(old_targets) | set(new_targets)):
        if ref not in new_targets:
            parts.append(f"target {ref} removed")
        elif ref not in old_targets:
            parts.append(f"target {ref} added: {new_targets[ref].get('expr', '')}")
        else:
            a, b = old_targets[ref], new_targets[ref]
            if (change := exprs.describe(a.get("expr", ""), b.get("expr", ""))) is not None:
                parts.append(f"target {ref} expr {change}")
            rest_a = {k: v for k, v in a.items() if k != "expr"}
            rest_b = {k: v for k, v in b.items() if k != "expr"}
            parts += settings_changes(f"target {ref}", rest_a, rest_b)
    return parts


def panel_changes(old: dict, new: dict) -> list[str]:
    parts = []
    if old.get("title") != new.get("title"):
        parts.append(f"title {old.get('title')!r} -> {new.get('title')!r}")
    if old.get("type") != new.get("type"):
        parts.append(f"type {old.get('type')} -> {new.get('type')}")
    parts += _target_changes(old, new)
    old_steps, new_steps = _threshold_values(old), _threshold_values(new)
    if old_steps != new_steps:
        parts.append(f"thresholds {old_steps} -> {new_steps}")
    old_fc, new_fc = dict(old.get("fieldConfig") or {}), dict(new.get("fieldConfig") or {})
    for fc in (old_fc, new_fc):
        defaults = dict(fc.get("defaults") or {})
        defaults.pop("thresholds", None)
        fc["defaults"] = defaults
    parts += settings_changes("fieldConfig", old_fc, new_fc)
    if old.get("gridPos") != new.get("gridPos"):
        parts.append("moved or resized")
    parts += settings_changes("settings", {k: v for k, v in old.items() if k not in IGNORED_PANEL_KEYS},
                              {k: v for k, v in new.items() if k not in IGNORED_PANEL_KEYS})
    return parts


def _panel_name(panel: dict) -> str:
    return f"panel {json.dumps(panel.get('title', ''), ensure_ascii=False)} (id {panel.get('id')})"


def _variables(dashboard: dict) -> dict[str, dict]:
    return {v.get("name", ""): v for v in (dashboard.get("templating") or {}).get("list") or []}


def dashboard_changes(old: dict, new: dict) -> list[str]:
    lines = []
    top = settings_changes("dashboard", {k: v for k, v in old.items() if k not in IGNORED_DASHBOARD_KEYS},
                           {k: v for k, v in new.items() if k not in IGNORED_DASHBOARD_KEYS})
    lines += top
    old_vars, new_vars = _variables(old), _variables(new)
    for name in sorted(set(old_vars) | set(new_vars)):
        if name not in new_vars:
            lines.append(f"variable ${name}: removed")
        elif name not in old_vars:
            lines.append(f"variable ${name}: added")
        elif parts := settings_changes("", old_vars[name], new_vars[name]):
            lines.append(f"variable ${name}: " + "; ".join(p.strip() for p in parts))
    old_panels = {p.get("id"): p for p in flatten_panels(old.get("panels") or [])}
    new_panels = {p.get("id"): p for p in flatten_panels(new.get("panels") or [])}
    for panel_id in sorted(set(old_panels) | set(new_panels), key=lambda i: (i is None, str(i))):
        if panel_id not in new_panels:
            lines.append(f"{_panel_name(old_panels[panel_id])}: removed")
        elif panel_id not in old_panels:
            lines.append(f"{_panel_name(new_panels[panel_id])}: added")
        elif parts := panel_changes(old_panels[panel_id], new_panels[panel_id]):
            lines.append(f"{_panel_name(new_panels[panel_id])}: " + "; ".join(parts))
    return lines
