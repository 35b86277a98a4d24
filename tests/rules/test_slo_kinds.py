"""Rules of raw-PromQL SLIs (goodQuery form), failures and custom alerts pass promtool's checks."""

from __future__ import annotations

import pytest

from obsgen.artifacts.prometheus import all_alerts
from obsgen.artifacts.prometheus.emit import emit_rules
from obsgen.artifacts.prometheus.sli import sli_error_ratio
from obsgen.build.load import parse_journey
from obsgen.tools import promtool

SPEC = """\
apiVersion: obsgen/v1
kind: Journey
metadata: {name: etl, service: etl, team: data, runbookBaseUrl: https://runbooks.example.com}
spec:
  stages:
    - name: load
      kind: task
      requests: {metric: etl_rows_total, match: {job: etl}}
      errors: {metric: etl_rows_rejected_total}
      alerts:
        failures: {metric: etl_runs_failed_total, match: {job: etl}, threshold: 2, window: 1d}
  slos:
    - name: rows-loaded
      sli:
        goodQuery: 'sum(rate(etl_rows_loaded_total{job="etl"}[{{.window}}]))'
        totalQuery: 'sum(rate(etl_rows_total{job="etl"}[{{.window}}]))'
      objective: 99
  alerts:
    - name: EtlNoRows
      expr: sum(rate(etl_rows_total{job="etl"}[30m])) == 0
      for: 30m
      summary: The ETL loads nothing
      description: No row was read for 30 minutes.
      stage: load
      labels: {component: loader}
"""


def test_good_query_sli_is_one_minus_good_over_total():
    journey = parse_journey(SPEC, "etl.yaml")
    assert sli_error_ratio(journey, journey.slos[0], 1800) == (
        '1 - (\n  (\n  sum(rate(etl_rows_loaded_total{job="etl"}[30m]))\n)\n/\n'
        '(\n  sum(rate(etl_rows_total{job="etl"}[30m]))\n  > 0\n)\n)')


@pytest.mark.integration
def test_failures_with_its_own_counter_and_custom_alert_rules(tmp_path):
    journey = parse_journey(SPEC, "etl.yaml")
    alerts = {a.alert: a for a in all_alerts(journey)}
    assert alerts["EtlLoadFailures"].expr == 'sum(increase(etl_runs_failed_total{job="etl"}[1d])) > 2'
    assert dict(alerts["EtlNoRows"].labels) == {"component": "loader", "journey": "etl", "severity": "ticket",
                                               "stage": "load", "team": "data"}
    paths = []
    for artifact in emit_rules(journey):
        path = tmp_path / artifact.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(artifact.content)
        paths.append(path)
    assert promtool.check_rules(paths) == []
