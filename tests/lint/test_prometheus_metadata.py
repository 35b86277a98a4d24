"""``obsgen lint --prometheus URL``: metric types from a real Prometheus' metadata API.

A real Prometheus (Debian's /usr/bin/prometheus) scrapes a tiny exporter started here, whose
``# TYPE`` lines are those postgres_exporter, kafka_exporter and Micrometer publish: a counter
without _total, a gauge named ..._sum, a histogram.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from obsgen.lint.metadata import MetadataError, fetch
from obsgen.lint.metric_types import COUNTER, GAUGE
from tests.conftest import ROOT
from tests.lint.helpers import fixture

pytestmark = pytest.mark.integration  # a real Prometheus, promtool and the obsgen command line

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
EXPOSITION = b"""\
# HELP pg_stat_database_xact_commit Number of transactions in this database that have been committed
# TYPE pg_stat_database_xact_commit counter
pg_stat_database_xact_commit{datname="fights_database"} 1000
# HELP kafka_consumergroup_lag_sum Current Approximate Lag of a ConsumerGroup at Topic for all partitions
# TYPE kafka_consumergroup_lag_sum gauge
kafka_consumergroup_lag_sum{consumergroup="event-statistics",topic="fights"} 42
# HELP http_server_requests_seconds
# TYPE http_server_requests_seconds histogram
http_server_requests_seconds_bucket{uri="/api/fights",le="0.1"} 3
http_server_requests_seconds_bucket{uri="/api/fights",le="+Inf"} 4
http_server_requests_seconds_count{uri="/api/fights"} 4
http_server_requests_seconds_sum{uri="/api/fights"} 0.5
"""
WANTED = {"pg_stat_database_xact_commit", "kafka_consumergroup_lag_sum", "http_server_requests_seconds"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Exporter(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.end_headers()
        self.wfile.write(EXPOSITION)

    def log_message(self, *args):
        pass


@contextmanager
def exporter():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Exporter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def prometheus_scraping(target: str, workdir: Path):
    if not Path(PROMETHEUS).exists():
        pytest.skip("prometheus is not installed (Debian: apt-get install prometheus)")
    config = workdir / "prometheus.yml"
    config.write_text(f"global: {{scrape_interval: 1s}}\nscrape_configs:\n"
                      f"  - job_name: exporter\n    static_configs: [{{targets: ['{target}']}}]\n")
    port = free_port()
    process = subprocess.Popen(
        [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={workdir / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_metadata(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_for_metadata(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"prometheus exited: {process.stderr.read().decode()}")
        try:
            if WANTED <= set(requests.get(f"{url}/api/v1/metadata", timeout=2).json()["data"]):
                return
        except (requests.RequestException, ValueError, KeyError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"prometheus at {url} did not report the exporter's metadata in {timeout}s")


@pytest.fixture(scope="module")
def prometheus_url(tmp_path_factory):
    with exporter() as target, prometheus_scraping(target, tmp_path_factory.mktemp("prometheus")) as url:
        yield url


def lint(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "obsgen", "lint", *args], cwd=ROOT, capture_output=True, text=True)


def test_types_come_from_the_metadata_api(prometheus_url):
    types = fetch(prometheus_url)
    assert types.series_kind("pg_stat_database_xact_commit") == COUNTER
    assert types.series_kind("kafka_consumergroup_lag_sum") == GAUGE
    assert types.series_kind("http_server_requests_seconds_count") == COUNTER
    assert types.series_kind("up") == GAUGE  # Prometheus' own series are in the metadata too


def test_lint_judges_rules_and_dashboards_by_prometheus_types(prometheus_url):
    result = lint("--prometheus", prometheus_url,
                  "--disable", "dashboard/datasource", "--disable", "dashboard/unit",
                  "--disable", "dashboard/panel-description",
                  fixture("rules/promql_rate/counters_without_total.yaml"),
                  fixture("dashboards/counter_rate/exporters.json"))
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2, result.stdout
    assert ("warning: dashboard/counter-rate: counter 'pg_stat_database_xact_commit' is used without "
            f"rate()/increase() (Prometheus at {prometheus_url} declares it a counter)") in lines[0]
    assert (f"counters_without_total.yaml:7:40: warning: promql/rate: rate() over 'kafka_consumergroup_lag_sum', "
            f"which Prometheus at {prometheus_url} declares a gauge") in lines[1]


def test_unreachable_prometheus_is_a_usage_error():
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(MetadataError, match="cannot read metric metadata"):
        fetch(url)
    result = lint("--prometheus", url, fixture("rules/clean.yaml"))
    assert result.returncode == 2
    assert f"obsgen lint: cannot read metric metadata from {url}/api/v1/metadata" in result.stderr
