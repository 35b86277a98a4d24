"""Everything a dashboard check may look at, computed once per lint run."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Iterator

from obsgen.lint.check import at
from obsgen.lint.dashboards.model import Dashboard, Target
from obsgen.lint.dashboards.variables import expand
from obsgen.lint.metric_types import NOTHING_KNOWN, MetricTypes
from obsgen.promql import analysis
from obsgen.tools import promtool


@dataclass(frozen=True)
class PromQLTarget:
    dashboard: Dashboard
    target: Target
    expanded: str  # the expression with Grafana variables replaced, as Prometheus would see it

    @property
    def ast(self):
        return analysis.parse(self.expanded)


@dataclass
class DashboardContext:
    dashboards: list[Dashboard]
    # (dashboard path, expr json path) → promtool's parse error; None when promtool was not run.
    parse_errors: dict[tuple[str, str], promtool.Finding] | None = None
    metric_types: MetricTypes = NOTHING_KNOWN

    @cached_property
    def promql_targets(self) -> list[PromQLTarget]:
        found = []
        for dashboard in self.dashboards:
            values = dashboard.current_values()
            for panel in dashboard.panels:
                for target in dashboard.targets(panel):
                    if dashboard.is_promql(target):
                        found.append(PromQLTarget(dashboard, target, expand(target.expr, values)))
        return found

    def panels(self) -> Iterator[tuple[Dashboard, object]]:
        for dashboard in self.dashboards:
            for panel in dashboard.panels:
                yield dashboard, panel


def finding(dashboard: Dashboard, json_path: str, check_id: str, severity: str, message: str):
    """A dashboard finding: located by JSON path, and by line when the text could be indexed."""
    return at(dashboard.path, dashboard.pos(json_path), check_id, severity, message, json_path)
