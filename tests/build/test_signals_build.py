"""Real builds (promtool checks, lint and the generated rule tests) of journeys that used to crash,
and of the examples of real public systems: each ends in exit 0, or exit 2 with file:line:col."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.build.test_build import tree
from tests.conftest import PURCHASE_SPEC, ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # every test runs obsgen build in a process

HEAD = """\
apiVersion: obsgen/v1
kind: Journey
metadata: {name: shop, service: shop, team: web, runbookBaseUrl: https://runbooks.example.com}
spec:
"""
DEPENDENCY = """\
  dependencies:
    - {name: db, kind: postgresql, health: {profile: postgresql}, stages: [checkout]}
"""

# A request counter that is the latency histogram's own _count (OpenTelemetry, Micrometer).
HISTOGRAM_COUNT = HEAD + """\
  stages:
    - name: checkout
      kind: http
      requests: {metric: http_server_request_duration_seconds_count, match: {http_route: /checkout}}
      errors: {match: {http_response_status_code: {regex: "5.."}}}
      latency: {histogram: http_server_request_duration_seconds, match: {http_route: /checkout}}
      alerts:
        errorRate: {threshold: 0.05}
        latency: {threshold: 1s}
  slos:
    - {name: checkout-availability, type: availability, stages: [checkout], objective: 99.9}
    - {name: checkout-latency, type: latency, stages: [checkout], threshold: 500ms, objective: 95}
""" + DEPENDENCY

TINY_THRESHOLD = HEAD + """\
  stages:
    - name: checkout
      profile: http
      match: {handler: /checkout}
      alerts:
        errorRate: {threshold: 0.0001}
  slos:
    - {name: checkout-availability, type: availability, stages: [checkout], objective: 99.9}
""" + DEPENDENCY

DAILY_WINDOWS = HEAD + """\
  stages:
    - name: checkout
      profile: celery
      match: {task: nightly_export}
  slos:
    - name: export-success
      type: availability
      stages: [checkout]
      objective: 99
      window: 7d
      alerting:
        burnRates:
          - {severity: ticket, factor: 1, long: 1d, short: 6h}
""" + DEPENDENCY

LOGIN_EVENTS = HEAD + """\
  stages:
    - name: checkout
      profile: http
      match: {job: auth, handler: /login, method: POST}
      errors: {metric: auth_events_total, match: {event: login_failed}}
      alerts:
        errorRate:
          name: LoginFailuresHigh
          threshold: 0.2
          errors: {metric: auth_events_total, match: {event: {regex: "login_failed|login_locked"}}}
  slos:
    - {name: login-success, type: availability, stages: [checkout], objective: 99}
""" + DEPENDENCY

MILLISECONDS = HEAD + """\
  stages:
    - name: checkout
      profile: otel-grpc
      match: {rpc_service: shop.Checkout, rpc_method: PlaceOrder}
      latency: {buckets: [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000]}
      alerts:
        latency: {threshold: 1s}
  journeyTime: {histogram: shop_journey_duration_ms, buckets: [100, 1000, 5000, 10000, 30000]}
  slos:
    - {name: checkout-latency, type: latency, stages: [checkout], threshold: 250ms, objective: 95}
    - {name: journey-time, type: journey-time, threshold: 10s, objective: 95}
""" + DEPENDENCY

NATIVE = HEAD + """\
  stages:
    - name: checkout
      profile: http
      match: {handler: /checkout}
      latency: {native: true}
      alerts:
        errorRate: {threshold: 0.05}
        latency: {threshold: 1s}
  slos:
    - {name: checkout-availability, type: availability, stages: [checkout], objective: 99.9}
    - {name: checkout-latency, type: latency, stages: [checkout], threshold: 300ms, objective: 99}
""" + DEPENDENCY


def obsgen(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "obsgen", *args], cwd=cwd, capture_output=True, text=True)


def build(tmp_path: Path, text: str, *flags: str) -> subprocess.CompletedProcess:
    spec = tmp_path / "shop.yaml"
    spec.write_text(text)
    return obsgen("build", "shop.yaml", "--out", "out", *flags, cwd=tmp_path)


def rule_tests(tmp_path: Path) -> dict:
    return yaml.safe_load((tmp_path / "out/shop/tests/shop.tests.yaml").read_text())


@pytest.mark.parametrize("flags", [(), ("--no-test",)])
def test_request_counter_that_is_the_histograms_count(tmp_path: Path, flags):
    result = build(tmp_path, HISTOGRAM_COUNT, *flags)
    assert result.returncode == 0, result.stderr


def test_objective_99_99_in_a_copy_of_purchase(tmp_path: Path):
    result = build(tmp_path, PURCHASE_SPEC.read_text().replace("objective: 99.9\n", "objective: 99.99\n", 1))
    assert result.returncode == 0, result.stderr


def test_alert_threshold_0_0001(tmp_path: Path):
    result = build(tmp_path, TINY_THRESHOLD)
    assert result.returncode == 0, result.stderr


def test_daily_burn_rate_windows(tmp_path: Path):
    result = build(tmp_path, DAILY_WINDOWS)
    assert result.returncode == 0, result.stderr


def test_zero_latency_threshold_is_a_positioned_error(tmp_path: Path):
    result = build(tmp_path, HISTOGRAM_COUNT.replace("threshold: 500ms", "threshold: 0ms"))
    assert result.returncode == 2
    assert "shop.yaml:16:78: latency threshold 0ms is not above 0" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_profile_is_a_positioned_error(tmp_path: Path):
    result = build(tmp_path, TINY_THRESHOLD.replace("profile: http", "profile: otel"))
    assert result.returncode == 2
    assert "shop.yaml:7:16: unknown profile 'otel'; profiles are: celery, grpc-go, http" in result.stderr


def test_errors_counted_by_another_metric_are_proven_to_fire(tmp_path: Path):
    result = build(tmp_path, LOGIN_EVENTS)
    assert result.returncode == 0, result.stderr
    tests = rule_tests(tmp_path)["tests"]
    inputs = {s["series"] for group in tests for s in group["input_series"]}
    assert 'auth_events_total{event="login_failed"}' in inputs
    fired = [t for group in tests for t in group.get("alert_rule_test", [])
             if t["alertname"] == "LoginFailuresHigh" and t["exp_alerts"]]
    assert fired


def test_milliseconds_histogram(tmp_path: Path):
    result = build(tmp_path, MILLISECONDS)
    assert result.returncode == 0, result.stderr
    rules = (tmp_path / "out/shop/prometheus/recording.rules.yaml").read_text()
    assert 'le=~"250(\\\\.0)?"' in rules
    assert 'shop_journey_duration_ms_bucket{le=~"10000(\\\\.0)?"}' in rules


def test_native_histogram_stage_builds_and_its_rule_tests_say_what_they_leave_out(tmp_path: Path):
    result = build(tmp_path, NATIVE)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "out/shop/tests/shop.tests.yaml").read_text()
    assert text.startswith("# NOT UNIT-TESTED: checkout (native histograms")
    names = {t["alertname"] for group in yaml.safe_load(text)["tests"] for t in group.get("alert_rule_test", [])}
    assert "ShopCheckoutHighErrorRate" in names  # the classic signals of the stage are still proven
    assert "ShopCheckoutHighLatency" not in names


def test_examples_build_as_a_fleet_twice_byte_identical(tmp_path: Path):
    first = obsgen("build", "specs/examples/", "--out", str(tmp_path / "a"))
    assert first.returncode == 0, first.stderr
    # The first build validated these bytes (promtool, amtool, lint, every rule test); the same bytes need
    # no second validation, which would double the cost of the test (seven journeys' rule tests).
    second = obsgen("build", "--no-validate", "specs/examples/", "--out", str(tmp_path / "b"))
    assert second.returncode == 0, second.stderr
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert {p.name for p in (tmp_path / "a").iterdir()} >= {"otel-demo-shopping", "etcd-kv", "petclinic-visit",
                                                            "prometheus-api", "_fleet"}
    lint = obsgen("lint", *map(str, sorted((tmp_path / "a").glob("*/prometheus/*.yaml"))),
                  *map(str, sorted((tmp_path / "a").glob("*/grafana/dashboards/*.json"))))
    # Lint-clean: run on files alone the lint cannot know every metric's type (the build's lint reads the
    # spec's declarations), so it may only note that, never warn or fail.
    assert lint.returncode == 0, lint.stdout + lint.stderr
    findings = [line for line in lint.stdout.splitlines() if line.strip()]
    assert all(": note: " in f for f in findings), lint.stdout


def test_an_alert_the_generator_cannot_prove_is_reported_without_a_traceback(tmp_path: Path):
    # A ticket held for 9h cannot fire inside a scenario's 8h: a clear failure (exit 1), not a crash.
    result = build(tmp_path, DAILY_WINDOWS.replace("      alerting:\n", "      alerting:\n        ticketFor: 9h\n"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert ("shop.yaml: the rule-test generator cannot prove every alert of journey 'shop': "
            "ShopExportSuccessErrorBudgetBurn (ticket)") in result.stderr
