"""verify, end to end: build SPEC in memory, then hold every artifact against the live Prometheus."""

from __future__ import annotations

from pathlib import Path

from obsgen import progress
from obsgen.artifacts.layout import OUT_DIR
from obsgen.clients.prometheus import PrometheusApi
from obsgen.paths import shown
from obsgen.verify.alertmanager import check_alertmanager
from obsgen.verify.artifacts import Built, build
from obsgen.verify.catalog import model_selectors
from obsgen.verify.dashboard import DashboardQueries, PreparedTarget
from obsgen.verify.exprs import UnparsableExpr, groupings, selectors
from obsgen.verify.metrics import Uses, check_uses, model_use
from obsgen.verify.report import VerifyReport
from obsgen.verify.rules import await_first_evaluations, check_rule_groups

DEFAULT_WINDOW_SECONDS = 600.0


def collect_uses(built: Built, prepared: list[PreparedTarget]) -> tuple[Uses, list[str]]:
    """Every raw selector of the rules, the panels and the model, with who reads it."""
    catalog = model_selectors(built.journey)
    recorded = built.recorded_names()
    uses, notes = Uses(), []

    def read(expr: str, user: str) -> None:
        try:
            found, grouped = selectors(expr), groupings(expr)
        except UnparsableExpr as error:
            notes.append(f"{user}: {error}")
            return
        for selector in found:
            if selector.metric in recorded:
                continue
            labels = tuple(label for g in grouped if selector in g.selectors for label in g.labels)
            model_use(uses, catalog, selector, user, labels)

    for rule in built.rules:
        read(rule.expr, f"rule {rule.title}")
    for item in prepared:
        if item.query.expr and not item.query.unresolved:
            read(item.query.expr, f"panel '{item.target.panel_title}'")
    for entry in catalog:
        model_use(uses, catalog, entry.selector, None)
    return uses, notes


def verify(spec: Path, prometheus_url: str, alertmanager_url: str | None = None,
           window: float = DEFAULT_WINDOW_SECONDS, generated_dir: Path = Path(OUT_DIR)) -> VerifyReport:
    progress.step(f"verify: building {shown(spec)} in memory")
    built = build(spec, generated_dir)
    journey = built.journey
    api = PrometheusApi(prometheus_url)
    await_first_evaluations(api, built, progress.step)
    end = api.server_time()
    dashboards = DashboardQueries.over(built, window)
    report = VerifyReport(journey=journey.name, prometheus=prometheus_url, window_seconds=window)
    if not built.dashboards:
        report.notes.append("the build produced no dashboard: only rules were checked")
    uses, unreadable = collect_uses(built, dashboards.prepared)
    report.notes += unreadable
    progress.step(f"verify: {len(uses.by_key)} selectors against {prometheus_url}")
    report.selectors = check_uses(api, uses, end - window, end)
    progress.step("verify: rule groups")
    report.rule_groups = check_rule_groups(api, built, window)
    progress.step(f"verify: {len(dashboards.prepared)} dashboard queries")
    report.panels = dashboards.check(api, end)
    if alertmanager_url:
        progress.step(f"verify: Alertmanager at {alertmanager_url}")
        report.alertmanager = check_alertmanager(api, alertmanager_url, built.alertmanager)
    time = dashboards.time
    report.notes.append(f"panel queries: step {time.step:g}s, $__rate_interval {time.rate_interval:g}s "
                        f"(journey scrape interval {journey.scrape_interval:g}s, as the datasource declares)")
    return report

