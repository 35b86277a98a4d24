"""Run every enabled check over a set of files and collect one report.

promtool is expensive to start (~50 ms), so it runs at most twice per lint
run whatever the number of files: once for all rule files, once for all
dashboard expressions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Iterable, Mapping, Sequence

from obsgen.lint import suppress
from obsgen.lint.check import Check
from obsgen.lint.dashboards import DASHBOARD_CHECKS
from obsgen.lint.dashboards.context import DashboardContext
from obsgen.lint.dashboards.model import Dashboard
from obsgen.lint.finding import DEFAULT_FAIL_ON, ERROR, PARSE_CHECK_ID, SEVERITIES, Finding, sorted_findings
from obsgen.lint.metric_types import NOTHING_KNOWN, MetricTypes
from obsgen.lint.promtool_bodies import check_rule_files
from obsgen.lint.rulefile import RuleFile, load_rule_file
from obsgen.lint.rules import RULE_CHECKS
from obsgen.lint.rules.context import DEFAULT_SCRAPE_INTERVAL, RuleContext
from obsgen.lint.source import DASHBOARD, SourceError, read_source
from obsgen.tools import promtool

ALL_CHECKS: tuple[Check, ...] = RULE_CHECKS + DASHBOARD_CHECKS + (suppress.SUPPRESSION_CHECK,)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class LintUsageError(ValueError):
    """Bad arguments (e.g. an unknown check id): exit code 2."""


@dataclass(frozen=True)
class LintReport:
    findings: tuple[Finding, ...]  # notes included
    errors: tuple[SourceError, ...]  # files that could not be read or parsed
    fail_on: str = DEFAULT_FAIL_ON

    @property
    def failing(self) -> tuple[Finding, ...]:
        """The findings that fail the run: those at least as severe as ``fail_on``."""
        return tuple(f for f in self.findings if f.fails(self.fail_on))

    @property
    def exit_code(self) -> int:
        if self.errors:
            return EXIT_ERROR
        return EXIT_FINDINGS if self.failing else EXIT_CLEAN

    def all_findings(self) -> list[Finding]:
        """Findings plus parse errors as findings (check id ``parse``), for output."""
        as_findings = [Finding(e.path, e.line, e.col, PARSE_CHECK_ID, ERROR, e.message) for e in self.errors]
        return sorted_findings([*self.findings, *as_findings])


def lint_paths(
    paths: Sequence[str],
    *,
    disabled: Iterable[str] = (),
    scrape_interval: timedelta = DEFAULT_SCRAPE_INTERVAL,
    metric_types: MetricTypes = NOTHING_KNOWN,
    severity: Mapping[str, str] | None = None,
    fail_on: str = DEFAULT_FAIL_ON,
) -> LintReport:
    """Lint rule files and dashboards (told apart by content).

    ``metric_types`` is what is known of each metric's type (from a spec or a
    Prometheus' metadata); the counter checks note what it does not cover.
    ``severity`` re-levels every finding of a check id; ``fail_on`` is the
    least severe severity that fails the run.  Inline suppressions in rule
    files are honoured.

    Raises ``LintUsageError`` for unknown check ids and
    ``promtool.PromtoolNotFound`` when a promtool-backed check is enabled but
    promtool is missing.
    """
    enabled = enabled_checks(disabled)
    severity = dict(severity or {})
    _check_levels(severity, fail_on)
    rule_files, dashboards, errors = _load(paths)
    findings: list[Finding] = []
    if rule_files:
        findings += _run(_checks_for(enabled, RULE_CHECKS), _rule_context(rule_files, enabled, scrape_interval, metric_types))
    if dashboards:
        findings += _run(_checks_for(enabled, DASHBOARD_CHECKS), _dashboard_context(dashboards, enabled, metric_types))
    findings = _suppressed(rule_files, findings, enabled)
    relevelled = [replace(f, severity=severity.get(f.check, f.severity)) for f in findings]
    return LintReport(tuple(sorted_findings(relevelled)), tuple(errors), fail_on)


def enabled_checks(disabled: Iterable[str]) -> tuple[Check, ...]:
    disabled = set(disabled)
    unknown = disabled - {c.id for c in ALL_CHECKS}
    if unknown:
        known = ", ".join(sorted(c.id for c in ALL_CHECKS))
        raise LintUsageError(f"unknown check(s) {', '.join(sorted(unknown))}; known: {known}")
    return tuple(c for c in ALL_CHECKS if c.id not in disabled)


def _check_levels(severity: Mapping[str, str], fail_on: str) -> None:
    unknown = set(severity) - {c.id for c in ALL_CHECKS}
    if unknown:
        raise LintUsageError(f"severity for unknown check(s) {', '.join(sorted(unknown))}")
    for level in (*severity.values(), fail_on):
        if level not in SEVERITIES:
            raise LintUsageError(f"unknown severity {level!r}; known: {', '.join(SEVERITIES)}")


def _suppressed(rule_files: list[RuleFile], findings: list[Finding], enabled: tuple[Check, ...]) -> list[Finding]:
    """Inline suppressions applied; the suppressions' own findings only when that check is enabled."""
    enabled_ids = {c.id for c in enabled}
    kept = suppress.apply(rule_files, findings, {c.id for c in ALL_CHECKS}, enabled_ids)
    return [f for f in kept if f.check != suppress.ID or suppress.ID in enabled_ids]


def _load(paths: Sequence[str]) -> tuple[list[RuleFile], list[Dashboard], list[SourceError]]:
    rule_files, dashboards, errors = [], [], []
    for path in dict.fromkeys(paths):  # a file named twice is linted once
        try:
            source = read_source(path)
            if source.kind == DASHBOARD:
                dashboards.append(Dashboard(path, source.text, source.json_data))
            else:
                rule_files.append(load_rule_file(path, source.text, source.yaml_roots))
        except SourceError as error:
            errors.append(error)
    return rule_files, dashboards, errors


def _checks_for(enabled: tuple[Check, ...], family: tuple[Check, ...]) -> list[Check]:
    return [c for c in enabled if c in family]


def _rule_context(
    rule_files: list[RuleFile], enabled, scrape_interval: timedelta, metric_types: MetricTypes
) -> RuleContext:
    needs_promtool = any(c.needs_promtool for c in _checks_for(enabled, RULE_CHECKS))
    findings = check_rule_files(rule_files) if needs_promtool else None
    return RuleContext(rule_files, scrape_interval, findings, metric_types)


def dashboard_queries(paths: Sequence[str]) -> list[str]:
    """The PromQL a lint of these dashboards gives promtool to parse (files it cannot read give none): parsed
    beforehand for many lints at once (promtool.expressions_parsed), each lint starts no promtool."""
    _, dashboards, _ = _load(paths)
    return [target.expanded for target in DashboardContext(dashboards).promql_targets]


def _dashboard_context(dashboards: list[Dashboard], enabled, metric_types: MetricTypes) -> DashboardContext:
    ctx = DashboardContext(dashboards, metric_types=metric_types)
    if any(c.needs_promtool for c in _checks_for(enabled, DASHBOARD_CHECKS)) and ctx.promql_targets:
        results = promtool.parse_exprs([t.expanded for t in ctx.promql_targets])
        ctx.parse_errors = {
            (t.dashboard.path, t.target.expr_path): error
            for t, error in zip(ctx.promql_targets, results, strict=True)
            if error is not None
        }
    return ctx


def _run(checks: list[Check], ctx) -> list[Finding]:
    return [finding for check in checks for finding in check.run(ctx)]
