"""``obsgen lint``: lint any Prometheus rule file and Grafana dashboard JSON.

Public API::

    lint_paths(paths, *, disabled=(), scrape_interval=timedelta(seconds=15),
               metric_types=NOTHING_KNOWN) -> LintReport
    LintReport.findings / .failing (all but notes) / .errors / .exit_code / .all_findings()
    MetricTypes (what is known of metric types), metadata.fetch(prometheus_url) -> MetricTypes
    render(findings, "text" | "json" | "github") -> str
    ALL_CHECKS  (each: id, severity, doc, needs_promtool)
"""

from obsgen.lint.check import Check
from obsgen.lint.finding import ERROR, INFO, NOTE, WARNING, Finding
from obsgen.lint.metric_types import NOTHING_KNOWN, MetricTypes
from obsgen.lint.output import FORMATS, render
from obsgen.lint.runner import ALL_CHECKS, LintReport, LintUsageError, enabled_checks, lint_paths
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
    "enabled_checks",
    "lint_paths",
    "render",
]
