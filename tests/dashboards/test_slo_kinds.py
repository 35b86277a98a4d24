"""Dashboards of raw-PromQL and time-slice SLOs: the SLO panels read their recorded series, and a
time-slice SLO shows what decides each minute against its threshold."""

from __future__ import annotations

from obsgen.artifacts.grafana.dashboard import build_dashboard
from obsgen.build.load import load_journey
from tests.conftest import ROOT

EXAMPLES = ROOT / "specs" / "examples"


def panels(dashboard: dict) -> list[dict]:
    def walk(items):
        for panel in items:
            yield panel
            yield from walk(panel.get("panels", []))
    return list(walk(dashboard["panels"]))


def test_freshness_slo_panel_shows_the_age_against_the_allowed_age():
    dashboard = build_dashboard(load_journey(EXAMPLES / "nightly-backup.yaml"))
    panel = next(p for p in panels(dashboard) if p["title"] == "Backups are fresh: age of the newest success")
    assert [t["expr"] for t in panel["targets"]] == [
        '(time() - max(backup_last_success_timestamp_seconds{job="nightly-backup"}))']
    defaults = panel["fieldConfig"]["defaults"]
    assert defaults["unit"] == "s"
    assert [s["value"] for s in defaults["thresholds"]["steps"]] == [None, 93600]


def test_lag_and_raw_slos_have_their_slo_panels():
    dashboard = build_dashboard(load_journey(EXAMPLES / "kafka-consumer.yaml"))
    titles = {p["title"] for p in panels(dashboard)}
    assert {"Consumer keeps up: sum of kafka_consumergroup_lag", "Consumer keeps up: SLI vs objective",
            "Orders not dead-lettered: SLI vs objective", "Orders not dead-lettered: burn rate"} <= titles
    exprs = [t.get("expr", "") for p in panels(dashboard) for t in p.get("targets", [])]
    assert any('slo="dead-letters"' in e and "slo:sli_error:ratio_rate5m" in e for e in exprs)
