"""What verify found, as data; rendered as a table for people and JSON for CI."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from obsgen.render import dump_json
from obsgen.table import table

# Statuses that are not problems.
SELECTOR_OK = ("ok", "conditional")
PANEL_OK = ("data", "conditional", "skipped")


@dataclass(frozen=True)
class SelectorCheck:
    selector: str
    origin: str  # where the model reads it ("stage checkout errors"), empty when only a query uses it
    status: str  # ok | conditional | missing-metric | no-series | missing-label
    detail: str
    users: tuple[str, ...]  # the rules and panels that read it

    @property
    def problem(self) -> bool:
        return self.status not in SELECTOR_OK


@dataclass(frozen=True)
class RuleGroupCheck:
    group: str
    file: str
    rules: int
    status: str  # ok | missing | stale | error
    detail: str
    interval_seconds: float | None
    evaluation_seconds: float | None  # /api/v1/rules evaluationTime of the last evaluation
    avg_duration_seconds: float | None  # prometheus_rule_group_last_duration_seconds, averaged over the window
    max_duration_seconds: float | None  # ... and its maximum over the window
    samples: float | None  # prometheus_rule_group_last_evaluation_samples, averaged over the window

    @property
    def problem(self) -> bool:
        return self.status != "ok"


@dataclass(frozen=True)
class PanelCheck:
    panel: str
    ref_id: str
    expr: str  # as sent, variables replaced
    instant: bool
    status: str  # data | empty | conditional | error | skipped
    detail: str
    series: int
    wall_seconds: float | None  # the HTTP call, as Grafana waits for it
    eval_seconds: float | None  # Prometheus' own evalTotalTime (stats=all)
    samples: int | None  # totalQueryableSamples (stats=all)

    @property
    def problem(self) -> bool:
        return self.status not in PANEL_OK


@dataclass
class VerifyReport:
    journey: str
    prometheus: str
    window_seconds: float
    selectors: list[SelectorCheck] = field(default_factory=list)
    rule_groups: list[RuleGroupCheck] = field(default_factory=list)
    panels: list[PanelCheck] = field(default_factory=list)
    alertmanager: list[str] = field(default_factory=list)  # problems with the Alertmanager wiring
    notes: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        found = [f"selector {c.selector}: {c.status}: {c.detail}; read by {', '.join(c.users)}"
                 for c in self.selectors if c.problem]
        found += [f"rule group {c.group}: {c.status}: {c.detail}" for c in self.rule_groups if c.problem]
        found += [f"panel {c.panel} [{c.ref_id}]: {c.status}: {c.detail}" for c in self.panels if c.problem]
        found += [f"alertmanager: {p}" for p in self.alertmanager]
        return found

    @property
    def ok(self) -> bool:
        return not self.problems()

    def totals(self) -> dict:
        queried = [p for p in self.panels if p.wall_seconds is not None]
        return {
            "dashboard_queries": len(queried),
            "dashboard_wall_seconds": round(sum(p.wall_seconds for p in queried), 6),
            "dashboard_eval_seconds": round(sum(p.eval_seconds or 0 for p in queried), 6),
            "dashboard_samples": sum(p.samples or 0 for p in queried),
            "rule_groups_evaluation_seconds": round(sum(g.evaluation_seconds or 0 for g in self.rule_groups), 6),
            "rule_groups_avg_duration_seconds": round(sum(g.avg_duration_seconds or 0 for g in self.rule_groups), 6),
        }

    def as_data(self) -> dict:
        return {
            "journey": self.journey,
            "prometheus": self.prometheus,
            "window_seconds": self.window_seconds,
            "ok": self.ok,
            "problems": self.problems(),
            "selectors": [asdict(c) for c in self.selectors],
            "rule_groups": [asdict(c) for c in self.rule_groups],
            "panels": [asdict(c) for c in self.panels],
            "alertmanager": self.alertmanager,
            "notes": self.notes,
            "totals": self.totals(),
        }


def render_json(report: VerifyReport) -> str:
    return dump_json(report.as_data())


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.1f}"


def render_table(report: VerifyReport) -> str:
    out = [f"obsgen verify: journey {report.journey} against {report.prometheus} "
           f"(last {report.window_seconds:g}s)", ""]
    out.append("Metrics and labels the rules and panels read")
    out += table(["status", "selector", "read by", "detail"],
                 [[c.status, c.selector, _users(c.users, 1), c.detail] for c in report.selectors])
    out += ["", "Rule groups loaded by Prometheus"]
    out += table(["status", "group", "rules", "interval s", "last eval ms", "avg ms", "max ms", "samples", "detail"],
                 [[g.status, g.group, str(g.rules), "-" if g.interval_seconds is None else f"{g.interval_seconds:g}",
                   _ms(g.evaluation_seconds), _ms(g.avg_duration_seconds), _ms(g.max_duration_seconds),
                   "-" if g.samples is None else f"{g.samples:.0f}", g.detail] for g in report.rule_groups])
    out += ["", "Dashboard queries"]
    out += table(["status", "panel", "ref", "series", "wall ms", "eval ms", "samples", "detail"],
                 [[p.status, p.panel, p.ref_id, str(p.series), _ms(p.wall_seconds),
                   _ms(p.eval_seconds), "-" if p.samples is None else str(p.samples), p.detail]
                  for p in report.panels])
    if report.alertmanager or report.notes:
        out.append("")
        out += [f"alertmanager: {p}" for p in report.alertmanager]
        out += [f"note: {n}" for n in report.notes]
    totals = report.totals()
    out += ["", f"cost: {totals['dashboard_queries']} dashboard queries, {_ms(totals['dashboard_wall_seconds'])} ms wall, "
                f"{_ms(totals['dashboard_eval_seconds'])} ms Prometheus eval, {totals['dashboard_samples']} samples; "
                f"rule groups {_ms(totals['rule_groups_avg_duration_seconds'])} ms per evaluation round on average "
                f"over the window (last round {_ms(totals['rule_groups_evaluation_seconds'])} ms)"]
    problems = report.problems()
    if problems:
        out += ["", f"FAILED: {len(problems)} problem(s)"] + [f"  - {p}" for p in problems]
    else:
        out += ["", "OK: every metric exists, every rule group evaluates, every panel has data"]
    return "\n".join(out) + "\n"


def _users(users: tuple[str, ...], shown: int = 2) -> str:
    if len(users) <= shown:
        return "; ".join(users)
    return "; ".join(users[:shown]) + f"; +{len(users) - shown} more"
