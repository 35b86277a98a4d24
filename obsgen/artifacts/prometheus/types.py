"""Rule objects the rule emitters produce; rendering and other emitters read these."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RecordingRule:
    record: str
    expr: str
    labels: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict:
        rule: dict = {"record": self.record, "expr": self.expr}
        if self.labels:
            rule["labels"] = dict(self.labels)
        return rule


@dataclass(frozen=True)
class AlertRule:
    alert: str
    expr: str
    for_: str
    labels: tuple[tuple[str, str], ...]
    annotations: tuple[tuple[str, str], ...]
    # What the alert is about, for impact maps, inhibition and generated tests (not rendered).
    kind: str = ""
    stages: tuple[str, ...] = ()
    slo: str | None = None
    dependency: str | None = None
    # A shared dependency's cause alert lives in the fleet's rule file, without a journey label.
    shared: bool = False

    def label(self, name: str) -> str | None:
        return dict(self.labels).get(name)

    @property
    def severity(self) -> str:
        return self.label("severity") or ""

    def as_dict(self) -> dict:
        return {
            "alert": self.alert,
            "expr": self.expr,
            "for": self.for_,
            "labels": dict(self.labels),
            "annotations": dict(self.annotations),
        }


@dataclass(frozen=True)
class RuleGroup:
    name: str
    rules: tuple[RecordingRule | AlertRule, ...]
    interval: str | None = None
    file: str = field(default="")  # which rules file the group belongs in

    def as_dict(self) -> dict:
        group: dict = {"name": self.name}
        if self.interval:
            group["interval"] = self.interval
        group["rules"] = [rule.as_dict() for rule in self.rules]
        return group
