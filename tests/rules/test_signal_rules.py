"""Rules over histograms in milliseconds and native histograms: the le matcher, the quantile
comparisons and recorded series are right for the unit; native ones need no le."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from obsgen.artifacts.prometheus import all_alerts, rule_groups
from obsgen.artifacts.prometheus.dashboard_series import STAGE_LATENCY, quantile_name
from obsgen.artifacts.prometheus.emit import emit_rules
from obsgen.artifacts.prometheus.sli import sli_error_ratio
from obsgen.build.load import parse_journey
from obsgen.tools import promtool

SPEC = """\
apiVersion: obsgen/v1
kind: Journey
metadata: {name: cart, service: cart, team: shop, runbookBaseUrl: https://runbooks.example.com}
spec:
  stages:
    - name: add
      profile: otel-grpc
      match: {rpc_method: AddItem}
      alerts:
        latency: {threshold: 1s}
    - name: query
      profile: http
      match: {handler: /query}
      latency: {native: true}
      alerts:
        latency: {quantile: 0.99, threshold: 2s}
  slos:
    - {name: add-latency, type: latency, stages: [add], threshold: 500ms, objective: 95}
    - {name: query-latency, type: latency, stages: [query], threshold: 300ms, objective: 99}
  dependencies:
    - {name: cache, kind: other, health: {metric: redis_up}, stages: [add, query]}
"""


@pytest.fixture(scope="module")
def journey():
    return parse_journey(SPEC, "cart.yaml")


def _slo(journey, name):
    return next(s for s in journey.slos if s.name == name)


def _alert(journey, name):
    return next(a for a in all_alerts(journey) if a.alert == name)


def test_500ms_on_a_milliseconds_histogram_selects_le_500(journey):
    expr = sli_error_ratio(journey, _slo(journey, "add-latency"), 300)
    assert 'rpc_server_duration_milliseconds_bucket{rpc_method="AddItem",le=~"500(\\\\.0)?"}[5m]' in expr
    assert "rpc_server_duration_milliseconds_count{rpc_method=\"AddItem\"}[5m]" in expr


def test_milliseconds_quantiles_are_compared_and_recorded_in_seconds(journey):
    alert = _alert(journey, "CartAddHighLatency")
    assert alert.expr == ('histogram_quantile(0.95, sum by (le)(rate(rpc_server_duration_milliseconds_bucket'
                          '{rpc_method="AddItem"}[5m]))) / 1000\n> 1')
    records = {r.record: r.expr for g in rule_groups(journey) for r in g.rules
               if getattr(r, "record", None) and dict(r.labels).get("stage") == "add"}
    assert records[quantile_name(STAGE_LATENCY, 0.5)].endswith(") / 1000")


def test_native_histogram_sli_uses_fraction_and_count(journey):
    expr = sli_error_ratio(journey, _slo(journey, "query-latency"), 3600)
    rate = 'rate(http_request_duration_seconds{handler="/query"}[1h])'
    assert f"(sum(histogram_fraction(0, 0.3, {rate}) * histogram_count({rate})) or vector(0))" in expr
    assert f"(sum(histogram_count({rate})) or vector(0))" in expr
    assert "_bucket" not in expr and "le=" not in expr


def test_native_histogram_quantiles_have_no_le(journey):
    alert = _alert(journey, "CartQueryHighLatency")
    assert alert.expr == ('histogram_quantile(0.99, sum(rate(http_request_duration_seconds{handler="/query"}[5m])))'
                          '\n> 2')


def _write_rules(journey, directory: Path) -> list[Path]:
    paths = []
    for artifact in emit_rules(journey):
        path = directory / artifact.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(artifact.content)
        paths.append(path)
    return paths


@pytest.mark.integration
def test_rules_pass_promtool(journey, tmp_path):
    assert promtool.check_rules(_write_rules(journey, tmp_path)) == []


PROMTOOL_3 = Path.home() / ".cache/obsgen/bin/promtool"


@pytest.mark.integration
@pytest.mark.skipif(not PROMTOOL_3.exists(), reason="Prometheus 3 promtool not built here (~/.cache/obsgen/bin)")
def test_rules_pass_prometheus_3_promtool(journey, tmp_path, monkeypatch):
    monkeypatch.setenv("OBSGEN_PROMTOOL", os.fspath(PROMTOOL_3))
    assert promtool.check_rules(_write_rules(journey, tmp_path)) == []
