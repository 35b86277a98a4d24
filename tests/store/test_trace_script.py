"""scripts/trace_purchase_journey.py: argument handling and statistics (no servers),
and both modes against the real store (integration)."""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys

import pytest
from storestack import ROOT

SCRIPT = ROOT / "scripts" / "trace_purchase_journey.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("trace_purchase_journey", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


script = _load_script()


def test_options_before_and_after_the_subcommand_both_count():
    parser = script.build_parser()
    assert parser.parse_args(["--url", "http://127.0.0.1:1", "load-test"]).url == "http://127.0.0.1:1"
    assert parser.parse_args(["load-test", "--url", "http://127.0.0.1:2"]).url == "http://127.0.0.1:2"
    defaults = parser.parse_args(["load-test"])
    assert (defaults.url, defaults.concurrency, defaults.duration, defaults.rate) == (script.DEFAULT_URL, 4, 60.0, 1.0)
    assert parser.parse_args([]).mode is None


def test_only_loopback_targets_without_allow_remote():
    script.ensure_loopback("http://127.0.0.1:8000")
    script.ensure_loopback("http://localhost:8000")
    script.ensure_loopback("http://[::1]:8000")
    for remote in ("http://10.0.0.1:8000", "http://192.168.1.10", "http://8.8.8.8"):
        with pytest.raises(SystemExit, match="non-loopback"):
            script.ensure_loopback(remote)


def test_nearest_rank_percentiles():
    values = [float(v) for v in range(1, 101)]
    assert script.percentile(values, 0.50) == 50.0
    assert script.percentile(values, 0.95) == 95.0
    assert script.percentile(values, 0.99) == 99.0
    assert script.percentile([7.0], 0.99) == 7.0


def test_summary_counts_errors_by_stage():
    recorder = script.Recorder()
    for ms in (10, 20, 30, 40):
        recorder.latency("checkout", ms / 1000)
        recorder.latency("browse", 0.005)
    recorder.error("checkout", "HTTP 503")
    recorder.error("browse", "ConnectionRefusedError")
    recorder.journey(True)
    recorder.journey(False)
    args = argparse.Namespace(url="http://127.0.0.1:8000", concurrency=2, rate=0.0, duration=2.0, timeout=1.0,
                              rabbitmq_metrics_url="")
    summary = script.summarise(recorder, 2.0, args, script.OrderTracker(args, recorder, 0.0))
    checkout = summary["stages"]["checkout"]
    assert checkout["errors"] == {"HTTP 503": 1}
    assert (checkout["p50_ms"], checkout["p95_ms"], checkout["max_ms"]) == (20.0, 40.0, 40.0)
    assert summary["stages"]["browse"]["requests"] == 5  # 4 answered + 1 that never got an answer
    assert summary["journeys"] == 2 and summary["journeys_per_s"] == 1.0
    assert summary["checkout_p95_within_budget"] is True


def test_a_growing_backlog_is_over_capacity_and_a_steady_one_is_not():
    steady = [(t * 2.0, 5 + (t % 3), None) for t in range(30)]  # rate x latency, give or take
    growing = [(t * 2.0, 3 * t, None) for t in range(30)]  # 1.5 orders/s more than the worker does
    assert not script.over_capacity(steady, duration=60.0, submitted=60)
    assert script.over_capacity(growing, duration=60.0, submitted=180)
    # Samples taken while draining after the load do not count.
    draining = [*steady, *((62.0 + t * 2.0, 100 - t, None) for t in range(10))]
    assert not script.over_capacity(draining, duration=60.0, submitted=60)


def test_pacer_spaces_starts_and_stops_at_the_deadline():
    pacer = script.Pacer(rate=10.0, started=100.0, deadline=101.0)
    starts = []
    while (start := pacer.next_start()) is not None:
        starts.append(start)
    assert len(starts) == 10
    assert starts[1] - starts[0] == pytest.approx(0.1)


@pytest.mark.integration
@pytest.mark.slow
def test_single_journey_prints_ids_found_in_the_logs(store_stack):
    result = subprocess.run([sys.executable, str(SCRIPT), "--url", store_stack.api_url, "--wait", "60"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = dict(line.split(":", 1) for line in result.stdout.splitlines() if line.startswith(("Correlation", "Trace")))
    correlation_id, trace_id = lines["Correlation ID"].strip(), lines["Trace ID"].strip()
    assert f"http://localhost:16686/trace/{trace_id}" in result.stdout
    assert f"grep {correlation_id}" in result.stdout
    worker_lines = [r for r in store_stack.log_records("kodekloud-record-store-worker")
                    if r.get("correlation_id") == correlation_id]
    assert worker_lines and {r["trace_id"] for r in worker_lines} == {trace_id}


@pytest.mark.integration
@pytest.mark.slow
def test_load_test_runs_bounded_and_summarises(store_stack):
    result = subprocess.run([sys.executable, str(SCRIPT), "load-test", "--url", store_stack.api_url,
                             "--duration", "3", "--concurrency", "2", "--rate", "5", "--drain", "30",
                             "--rabbitmq-metrics-url", "", "--json"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["journeys_failed"] == 0
    assert 5 <= summary["journeys_ok"] <= 16  # 5/s for 3 s, paced
    assert set(summary["stages"]) == {"browse", "product", "checkout", "order_status"}
    assert summary["stages"]["checkout"]["p95_ms"] > 0
    assert "journeys ok=" in result.stderr and "backlog=" in result.stderr  # progress went to stderr
    completion = summary["completion"]  # every accepted order followed to its confirmation e-mail
    assert completion["orders_accepted"] == summary["journeys_ok"]
    assert completion["orders_confirmed"] == completion["orders_accepted"]
    assert 0 < completion["completion_p50_s"] <= completion["completion_max_s"] < 30
    assert completion["over_capacity"] is False
