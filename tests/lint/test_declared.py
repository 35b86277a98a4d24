"""During ``obsgen build`` the lint judges counters by what the spec declares.

The fixture is Quarkus Super Heroes' fight journey, whose saturation signals are gauges named like
counters (agroal_awaiting_count, pg_stat_activity_count, kafka_consumergroup_lag_sum) and whose
request counter is Micrometer's http_server_requests_seconds_count (no _total).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from obsgen.build.load import load_journey
from obsgen.lint.declared import journey_types
from obsgen.lint.metric_types import COUNTER, GAUGE
from tests.conftest import ROOT
from tests.lint.helpers import fixture

SPEC = fixture("specs/superheroes.yaml")


def test_spec_declares_counters_and_gauges():
    types = journey_types([load_journey(SPEC)])
    assert types.series_kind("http_server_requests_seconds_count") == COUNTER
    for gauge in ("agroal_awaiting_count", "pg_stat_activity_count", "kafka_consumergroup_lag_sum", "kafka_brokers",
                  "pg_up", "up"):
        assert types.series_kind(gauge) == GAUGE, gauge
    assert types.series_kind("process_cpu_seconds_total") is None


def test_purchase_declares_its_histograms(purchase_journey):
    types = journey_types([purchase_journey])
    assert types.series_kind("http_request_duration_seconds_bucket") == COUNTER
    assert types.series_kind("celery_tasks_total") == COUNTER


def obsgen(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "obsgen", *args], cwd=cwd, capture_output=True, text=True)


@pytest.mark.integration  # real promtool and amtool
def test_gauges_named_like_counters_build_and_lint_clean(tmp_path: Path):
    spec = tmp_path / "fight.yaml"
    spec.write_text(Path(SPEC).read_text())
    built = obsgen("build", "--no-test", str(spec), "--out", str(tmp_path / "generated"), cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    out = tmp_path / "generated" / "fight"
    outputs = sorted(str(p) for p in [*out.glob("prometheus/*.yaml"), *out.glob("grafana/dashboards/*.json")])
    assert len(outputs) == 3
    linted = obsgen("lint", *outputs, cwd=ROOT)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    # Without the spec the lint cannot know: it says so, and fails nothing.
    assert "note: dashboard/counter-rate: 'pg_stat_activity_count'" in linted.stdout
