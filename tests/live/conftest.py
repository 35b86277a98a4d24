"""The live native stack, shared by every test that needs one (`live_stack`, session scope).

Real PostgreSQL, RabbitMQ, nginx, the record store, postgres_exporter, Prometheus and
Alertmanager, started with the stack's Python API (lab.stack.Stack) in a throwaway state
directory on free loopback ports (never the contract's: a developer's stack keeps running),
scraping every 5 s, with rules and Alertmanager config built into the state directory from
specs/purchase.yaml and tests/fleet/specs/catalogue.yaml together: a fleet of two journeys that
share the store's PostgreSQL (one DatabaseDown alert for both). Always stopped at the end of the session.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from lab.stack import Stack
from lab.stack.prometheus_config import FAST_SCRAPE_SECONDS
from obsgen.artifacts.grafana.queries import RECORDED_WINDOW
from obsgen.build.pipeline import build_fleet
from obsgen.clients.prometheus import PrometheusApi
from obsgen.promql import parse_duration
from obsgen.verify.artifacts import build
from obsgen.verify.dashboard import DashboardQueries
from tests.conftest import PURCHASE_SPEC, ROOT
from tests.stack.conftest import free_ports, make_state_dir

LOAD_SCRIPT = ROOT / "scripts" / "trace_purchase_journey.py"
CATALOGUE_SPEC = ROOT / "tests" / "fleet" / "specs" / "catalogue.yaml"
FLEET_SPECS = (PURCHASE_SPEC, CATALOGUE_SPEC)
# Fast background work keeps journeys short; one retry makes a task that hits a dead dependency
# fail within seconds instead of after minutes of backoff, so drills see it while they hold.
STORE_ENV = {
    "RECORDSTORE_ORDER_PROCESSING_SECONDS": "0.3",
    "RECORDSTORE_EMAIL_SECONDS": "0.2",
    "RECORDSTORE_CLEANUP_SECONDS": "0.05",
    "RECORDSTORE_TASK_MAX_RETRIES": "1",
}
LOAD_SECONDS = 60
LOAD_RATE = 4  # journeys per second
VERIFY_WINDOW = "10m"  # what tests/live/test_verify.py passes to `obsgen verify --window`


@dataclass(frozen=True)
class LiveStack:
    stack: Stack
    state_dir: Path
    generated_dir: Path  # what Prometheus and Alertmanager load (the fleet build of FLEET_SPECS)

    @property
    def prometheus(self) -> str:
        return self.stack.endpoint("prometheus")

    @property
    def alertmanager(self) -> str:
        return self.stack.endpoint("alertmanager")

    @property
    def gateway(self) -> str:
        return self.stack.endpoint("nginx")


@pytest.fixture(scope="session")
def live_stack():
    state_dir = make_state_dir("obsgen-live-")
    generated = state_dir / "generated"
    build_fleet(FLEET_SPECS, generated)
    stack = Stack(state_dir, ports=free_ports(), scrape_seconds=FAST_SCRAPE_SECONDS, generated_dir=generated,
                  store_env=STORE_ENV)
    try:
        statuses = stack.up()
        not_up = [f"{s.name}: {s.state} {s.detail}" for s in statuses if s.state != "up"]
        if not_up:
            pytest.fail("the native stack did not come up: " + "; ".join(not_up))
        yield LiveStack(stack, state_dir, generated)
    finally:
        stack.down()
        shutil.rmtree(state_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def loaded_stack(live_stack: LiveStack) -> LiveStack:
    """The live stack after a short load test (the team's load script), once per session."""
    result = subprocess.run(
        [sys.executable, str(LOAD_SCRIPT), "load-test", "--url", live_stack.gateway,
         "--duration", str(LOAD_SECONDS), "--rate", str(LOAD_RATE), "--drain", "30",
         "--rabbitmq-metrics-url", f"http://127.0.0.1:{live_stack.stack.ports.rabbitmq_prometheus}", "--json"],
        capture_output=True, text=True, timeout=LOAD_SECONDS + 120, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    wait_until_every_panel_has_data(live_stack)
    return live_stack


def wait_until_every_panel_has_data(stack: LiveStack, timeout: float = 2 * RECORDED_WINDOW) -> None:
    """Right after a load some panels are still empty, in Grafana as in `obsgen verify`: the "today" panels sum
    the recorded 5m rates at steps aligned to 5 minutes of the clock (`[$__range:5m]` subqueries), and the
    burn-down reads the SLO-window group, evaluated every few minutes. Waits, up to the next such step or two,
    until no panel verify queries over the tests' window is empty, asking as verify asks (a query that can only
    have data under failure may stay empty)."""
    prometheus = PrometheusApi(stack.prometheus)
    dashboards = [DashboardQueries.over(build(spec, stack.generated_dir), parse_duration(VERIFY_WINDOW))
                  for spec in FLEET_SPECS]

    def empty_panels() -> list[str]:
        end = prometheus.server_time()
        return [f"{check.panel}: {check.expr}" for queries in dashboards for check in queries.check(prometheus, end)
                if check.status == "empty"]

    deadline = time.monotonic() + timeout
    while empty := empty_panels():
        if time.monotonic() > deadline:
            pytest.fail(f"panels still without data {timeout:.0f} s after the load: " + "; ".join(empty))
        time.sleep(FAST_SCRAPE_SECONDS)
