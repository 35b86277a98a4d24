"""Everything a rule check may look at, computed once per lint run."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import Iterator

from obsgen.lint.metric_types import NOTHING_KNOWN, MetricTypes
from obsgen.lint.rulefile import Rule, RuleFile
from obsgen.tools import promtool

DEFAULT_SCRAPE_INTERVAL = timedelta(seconds=15)


@dataclass
class RuleContext:
    files: list[RuleFile]
    scrape_interval: timedelta = DEFAULT_SCRAPE_INTERVAL
    # None when no promtool-backed check is enabled (promtool was not run).
    promtool_findings: list[promtool.Finding] | None = None
    metric_types: MetricTypes = NOTHING_KNOWN
    _by_path: dict[str, RuleFile] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_path = {f.path: f for f in self.files}

    def rules(self) -> Iterator[Rule]:
        for rule_file in self.files:
            yield from rule_file.rules

    def alerts(self) -> Iterator[Rule]:
        return (r for r in self.rules() if r.kind == "alert")

    def recordings(self) -> Iterator[Rule]:
        return (r for r in self.rules() if r.kind == "record")

    def file(self, path: str) -> RuleFile | None:
        return self._by_path.get(path)

    @cached_property
    def recorded_exprs(self) -> dict[str, list[str]]:
        """Recording-rule name → its expressions, for checks that look through a recorded series."""
        exprs: dict[str, list[str]] = defaultdict(list)
        for rule in self.recordings():
            if rule.expr is not None:
                exprs[rule.name].append(rule.expr)
        return dict(exprs)
