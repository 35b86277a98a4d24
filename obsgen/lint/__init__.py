"""``obsgen lint``: lint any Prometheus rule file and Grafana dashboard JSON.

Public API::

    lint_paths(paths, *, disabled=(), scrape_interval=timedelta(seconds=15),
               metric_types=NOTHING_KNOWN, severity={check_id: severity}, fail_on="warning") -> LintReport
    LintReport.findings / .failing (as severe as fail_on or more) / .errors / .exit_code / .all_findings()
    dashboard_queries(paths) -> the PromQL a lint of those dashboards has promtool parse
    MetricTypes (what is known of metric types), metadata.fetch(prometheus_url) -> MetricTypes
    render(findings, "text" | "json" | "github" | "sarif" | "checkstyle") -> str
    ALL_CHECKS  (each: id, severity, doc, needs_promtool, known_as, help_ref)
    config.discover(path_or_None) -> LintConfig; config.settings(...) overlays the command line
"""

from obsgen.lint.check import Check
from obsgen.lint.finding import ERROR, INFO, NOTE, WARNING, Finding
from obsgen.lint.metric_types import NOTHING_KNOWN, MetricTypes
from obsgen.lint.output import FORMATS, render
from obsgen.lint.runner import ALL_CHECKS, LintReport, LintUsageError, dashboard_queries, enabled_checks, lint_paths
from obsgen.lint.source import SourceError

__all__ = [
    "ALL_CHECKS",
    "Check",
    "ERROR",
    "FORMATS",
    "Finding",
    "INFO",
    "LintReport",
    "LintUsageError",
    "MetricTypes",
    "NOTE",
    "NOTHING_KNOWN",
    "SourceError",
    "WARNING",
    "dashboard_queries",
    "enabled_checks",
    "lint_paths",
    "render",
]
