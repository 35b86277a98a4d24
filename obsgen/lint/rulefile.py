"""Position-aware model of a Prometheus rule file.

Built from ``yaml.compose`` nodes so that every value keeps the line:col it
came from.  The model is tolerant: structural mistakes (a group that is a
list, a missing ``rules``) are promtool's to report, so we skip what we
cannot read instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from obsgen.lint.flavours import PROMETHEUS, GroupList, group_lists
from obsgen.lint.positions import Pos, node_pos, scalar_offset_pos
from obsgen.lint.source import compose_documents


@dataclass
class Rule:
    path: str
    group: str
    group_index: int
    index: int  # within its group, 0-based, as promtool counts (minus one)
    node: MappingNode
    source_lines: list[str] = field(repr=False)

    @cached_property
    def fields(self) -> dict[str, tuple[ScalarNode, Node]]:
        return mapping(self.node)

    @property
    def kind(self) -> str | None:
        return "alert" if "alert" in self.fields else "record" if "record" in self.fields else None

    @property
    def name(self) -> str:
        return self.scalar(self.kind or "") or ""

    @property
    def expr(self) -> str | None:
        return self.scalar("expr")

    def scalar(self, key: str) -> str | None:
        value = self.fields.get(key, (None, None))[1]
        return value.value if isinstance(value, ScalarNode) else None

    def string_map(self, key: str) -> dict[str, str]:
        """``labels`` / ``annotations`` as plain strings (non-scalars skipped)."""
        value = self.fields.get(key, (None, None))[1]
        if not isinstance(value, MappingNode):
            return {}
        return {k: v.value for k, (_, v) in mapping(value).items() if isinstance(v, ScalarNode)}

    @property
    def pos(self) -> Pos:
        """Where the rule's name is: the place a human looks for 'this rule'."""
        name = self.fields.get(self.kind or "")
        return node_pos(name[1]) if name else node_pos(self.node)

    def value_pos(self, key: str, sub_key: str | None = None) -> Pos:
        """Position of ``key`` (or ``key.sub_key``) value; the rule's position when absent."""
        entry = self.fields.get(key)
        if entry is None:
            return self.pos
        if sub_key is not None and isinstance(entry[1], MappingNode):
            sub = mapping(entry[1]).get(sub_key)
            return node_pos(sub[1]) if sub else node_pos(entry[0])
        return node_pos(entry[1])

    def expr_pos(self, offset: int | None = None) -> Pos:
        """Position of character ``offset`` of the expression (its start when None)."""
        entry = self.fields.get("expr")
        if entry is None or not isinstance(entry[1], ScalarNode):
            return self.pos
        if offset is None:
            return node_pos(entry[1])
        return scalar_offset_pos(entry[1], self.source_lines, offset)


@dataclass
class RuleFile:
    path: str
    rules: list[Rule]
    source_lines: list[str] = field(repr=False)
    groups: list[tuple[str, Pos]] = field(default_factory=list)  # (name, where the group starts), in order
    group_lists: list[GroupList] = field(default_factory=list, repr=False)

    @property
    def is_plain(self) -> bool:
        """A Prometheus rule file as promtool reads it: no wrapper to take off, at most one document."""
        return len(self.group_lists) <= 1 and all(g.flavour == PROMETHEUS for g in self.group_lists)

    def repeated_group_pos(self, name: str) -> Pos | None:
        """Where group `name` appears the second time (promtool 3 gives no position for it)."""
        places = [pos for group, pos in self.groups if group == name]
        return places[1] if len(places) > 1 else None

    def find_rule(self, group: str | None, index: int | None, name: str | None = None) -> Rule | None:
        """The rule promtool means by ``group "g", rule N, "name"``.

        Group names may repeat (promtool reports that too), so the rule name
        breaks the tie; without a match on it the first group wins.
        """
        candidates = [r for r in self.rules if r.group == group and r.index == index]
        named = [r for r in candidates if name is not None and r.name == name]
        return (named or candidates or [None])[0]


def load_rule_file(path: str, text: str, roots: tuple[Node | None, ...] | None = None) -> RuleFile:
    """Model of a rule file of any flavour; pass ``roots`` when the text was already composed."""
    if roots is None:
        roots = tuple(compose_documents(path, text))
    lines = text.split("\n")
    found = group_lists(list(roots))
    rules = [rule for group_list in found for rule in _rules(path, group_list.groups, lines)]
    return RuleFile(path, rules, lines, [g for group_list in found for g in _groups(group_list.groups)], found)


def _groups(groups: SequenceNode):
    for group in groups.value:
        name = mapping(group).get("name", (None, None))[1]
        if isinstance(name, ScalarNode):
            yield name.value, node_pos(group)


def _rules(path: str, groups: SequenceNode, lines: list[str]):
    for group_index, group in enumerate(groups.value):
        if not isinstance(group, MappingNode):
            continue
        fields = mapping(group)
        name = fields.get("name", (None, None))[1]
        group_name = name.value if isinstance(name, ScalarNode) else ""
        rules = fields.get("rules", (None, None))[1]
        if not isinstance(rules, SequenceNode):
            continue
        for index, rule in enumerate(rules.value):
            if isinstance(rule, MappingNode):
                yield Rule(path, group_name, group_index, index, rule, lines)


def mapping(node: Node | None) -> dict[str, tuple[ScalarNode, Node]]:
    """A mapping node's entries by key (first occurrence wins; YAML forbids repeats anyway)."""
    if not isinstance(node, MappingNode):
        return {}
    entries: dict[str, tuple[ScalarNode, Node]] = {}
    for key, value in node.value:
        if isinstance(key, ScalarNode) and key.value not in entries:
            entries[key.value] = (key, value)
    return entries
