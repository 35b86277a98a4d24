"""Put rule and dashboard diffs together, section by section."""

from __future__ import annotations

from dataclasses import dataclass, field

from obsgen.artifacts.built import DeliveryInputs
from obsgen.diff.dashboards import dashboard_changes
from obsgen.diff.rules import diff_rules


@dataclass
class DiffReport:
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return [line for _, lines in self.sections for line in lines]

    @property
    def any(self) -> bool:
        return bool(self.lines)

    def render(self) -> str:
        out = [f"note: {note}" for note in self.notes]
        for header, lines in self.sections:
            out.append(header)
            out.extend(f"  {line}" for line in lines)
        if not self.any:
            out.append("no differences")
        return "\n".join(out) + "\n"


def diff_inputs(old: DeliveryInputs, new: DeliveryInputs, *, old_label: str, compare_rules: bool = True) -> DiffReport:
    """What changes going from old (committed, or deployed) to new (a fresh build)."""
    report = DiffReport()
    if compare_rules:
        if lines := diff_rules(old.rule_files, new.rule_files):
            report.sections.append(("rules:", lines))
    else:
        report.notes.append(f"rules not compared: {old_label} holds dashboards only")
    old_boards = {d.uid: d for d in old.dashboards}
    new_boards = {d.uid: d for d in new.dashboards}
    for uid in sorted(set(old_boards) | set(new_boards)):
        header = f"dashboard {uid}:"
        if uid not in new_boards:
            report.sections.append((header, ["removed"]))
        elif uid not in old_boards:
            report.sections.append((header, [f"added ({new_boards[uid].title!r})"]))
        elif lines := dashboard_changes(old_boards[uid].model, new_boards[uid].model):
            report.sections.append((header, lines))
    return report
