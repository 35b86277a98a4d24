"""A milliseconds histogram's latency panel is in milliseconds: 500 ms, not 8m20s."""

from __future__ import annotations

from obsgen.artifacts.grafana.dashboard import build_dashboard
from obsgen.build.load import parse_journey
from tests.dashboards.conftest import exprs, panels

SPEC = """\
apiVersion: obsgen/v1
kind: Journey
metadata: {name: cart, service: cart, team: shop, runbookBaseUrl: https://runbooks.example.com}
spec:
  stages:
    - name: add
      title: Add item
      profile: spanmetrics
      match: {service_name: cart}
      alerts:
        latency: {threshold: 1s}
    - name: browse
      title: Browse
      profile: http
  journeyTime: {histogram: cart_journey_duration_milliseconds}
  slos:
    - {name: add-latency, type: latency, stages: [add], threshold: 500ms, objective: 95}
    - {name: journey-time, type: journey-time, threshold: 10s, objective: 95}
  dependencies:
    - {name: cache, kind: other, health: {metric: redis_up}, stages: [add]}
"""


def _latency_panel(dashboard: dict, title: str) -> dict:
    return next(p for p in panels(dashboard) if p["title"].startswith(f"{title}: ") and "time" in p["title"])


def test_milliseconds_panel_shows_milliseconds_with_thresholds_and_exemplars_in_them():
    dashboard = build_dashboard(parse_journey(SPEC, "cart.yaml"))
    panel = _latency_panel(dashboard, "Add item")
    defaults = panel["fieldConfig"]["defaults"]
    assert defaults["unit"] == "ms"
    assert [s["value"] for s in defaults["thresholds"]["steps"]][1:] == [500, 1000]
    recorded, raw = exprs(panel)[:3], exprs(panel)[3]
    assert all(e.endswith(" * 1000") for e in recorded)
    assert raw.startswith("histogram_quantile(0.95, sum by (le) (rate(traces_span_metrics_duration_milliseconds_bucket")
    assert not raw.endswith("1000")


def test_seconds_panel_is_unchanged():
    dashboard = build_dashboard(parse_journey(SPEC, "cart.yaml"))
    panel = _latency_panel(dashboard, "Browse")
    assert panel["fieldConfig"]["defaults"]["unit"] == "s"
    assert not any("1000" in e for e in exprs(panel))


def test_milliseconds_journey_time_panel():
    dashboard = build_dashboard(parse_journey(SPEC, "cart.yaml"))
    panel = next(p for p in panels(dashboard) if p["title"].endswith(": end-to-end time"))
    defaults = panel["fieldConfig"]["defaults"]
    assert defaults["unit"] == "ms"
    assert [s["value"] for s in defaults["thresholds"]["steps"]][1:] == [10000]
