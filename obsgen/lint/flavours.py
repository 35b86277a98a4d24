"""Where the rule groups are in each kind of rule file the lint reads, told apart by content.

Every engine hands its groups to Prometheus' rule parser once its own
wrapper is taken off, so the lint finds the groups, checks them like a plain
rule file, and gives promtool a copy with the wrapper blanked out:

* Prometheus: ``groups:`` at the top.
* prometheus-operator ``PrometheusRule`` (``monitoring.coreos.com/v1``):
  ``spec.groups``, one or more resources per file (``---``), other
  resources (ConfigMaps, …) in the same stream skipped.
* Grafana Mimir / Cortex: a rule-namespace file as ``mimirtool rules load``
  reads it (``namespace:`` beside ``groups:``), or the namespace-keyed map
  ``mimirtool rules print`` and the ruler API answer (``<namespace>: [groups]``);
  groups may carry ``source_tenants`` and the ruler's evaluation keys.
* Thanos Ruler: plain groups with ``partial_response_strategy``.

The copy for promtool keeps every line and column where it was: the key that
holds the groups becomes ``groups:`` at its own indentation (YAML accepts an
indented top-level mapping), everything else outside the groups and every
wrapper-only key inside a group becomes spaces.  promtool's positions are
then positions in the user's file.
"""

from __future__ import annotations

from dataclasses import dataclass

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

PROMETHEUS = "prometheus"
PROMETHEUS_OPERATOR = "prometheus-operator"
MIMIR = "mimir"
THANOS = "thanos"
OPERATOR_API_VERSION = "monitoring.coreos.com/v1"
# Group keys Prometheus' rule parser does not know: the engines read and strip them.
MIMIR_GROUP_KEYS = frozenset({"source_tenants", "evaluation_delay", "align_evaluation_time_on_interval"})
THANOS_GROUP_KEYS = frozenset({"partial_response_strategy"})
WRAPPER_GROUP_KEYS = MIMIR_GROUP_KEYS | THANOS_GROUP_KEYS


@dataclass(frozen=True)
class GroupList:
    """One list of rule groups: what Prometheus would load as one rule file."""

    flavour: str
    key: ScalarNode  # the key whose value is the list: "groups", or a Mimir namespace
    groups: SequenceNode


def group_lists(roots: list[Node | None]) -> list[GroupList]:
    return [found for root in roots for found in _in_document(root)]


def _in_document(root: Node | None) -> list[GroupList]:
    entries = _entries(root)
    if "groups" in entries and isinstance(entries["groups"][1], SequenceNode):
        key, groups = entries["groups"]
        return [GroupList(_plain_flavour(entries, groups), key, groups)]
    if _scalar(entries, "kind") == "PrometheusRule" and _scalar(entries, "apiVersion") == OPERATOR_API_VERSION:
        spec = _entries(entries.get("spec", (None, None))[1])
        if "groups" in spec and isinstance(spec["groups"][1], SequenceNode):
            return [GroupList(PROMETHEUS_OPERATOR, *spec["groups"])]
        return []
    if entries and all(_is_group_sequence(value) for _, value in entries.values()):
        return [GroupList(MIMIR, key, value) for key, value in entries.values()]
    return []


def _plain_flavour(entries: dict, groups: SequenceNode) -> str:
    keys = {key for group in groups.value for key in _entries(group)}
    if "namespace" in entries or keys & MIMIR_GROUP_KEYS:
        return MIMIR
    return THANOS if keys & THANOS_GROUP_KEYS else PROMETHEUS


def _is_group_sequence(node: Node) -> bool:
    """A Mimir namespace's value: a non-empty list of mappings with a name and rules."""
    return (isinstance(node, SequenceNode) and bool(node.value)
            and all({"name", "rules"} <= set(_entries(group)) for group in node.value))


def _entries(node: Node | None) -> dict[str, tuple[ScalarNode, Node]]:
    if not isinstance(node, MappingNode):
        return {}
    return {key.value: (key, value) for key, value in reversed(node.value) if isinstance(key, ScalarNode)}


def _scalar(entries: dict, key: str) -> str | None:
    value = entries.get(key, (None, None))[1]
    return value.value if isinstance(value, ScalarNode) else None


def promtool_body(lines: list[str], group_list: GroupList) -> str:
    """The file as promtool should read it for this group list, every position unchanged."""
    body = [" " * len(line) for line in lines]
    _copy(lines, body, group_list.groups.start_mark, group_list.groups.end_mark)
    key = group_list.key
    colon = lines[key.start_mark.line].find(":", key.end_mark.column)
    tail = body[key.start_mark.line][colon + 1:] if colon >= 0 else ""  # no colon: an explicit "? key"
    body[key.start_mark.line] = " " * key.start_mark.column + "groups:" + tail
    for group in group_list.groups.value:
        for name, (key_node, value) in _entries(group).items():
            if name in WRAPPER_GROUP_KEYS:
                _blank(body, key_node.start_mark, value.end_mark)
    return "\n".join(line.rstrip() for line in body)


def _copy(lines: list[str], body: list[str], start, end) -> None:
    for index in range(start.line, min(end.line + 1, len(lines))):
        first = start.column if index == start.line else 0
        last = end.column if index == end.line else len(lines[index])
        body[index] = body[index][:first] + lines[index][first:last] + body[index][last:]


def _blank(body: list[str], start, end) -> None:
    for index in range(start.line, min(end.line + 1, len(body))):
        first = start.column if index == start.line else 0
        last = end.column if index == end.line else len(body[index])
        body[index] = body[index][:first] + " " * (last - first) + body[index][last:]
