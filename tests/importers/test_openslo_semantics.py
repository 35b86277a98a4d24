"""An imported OpenSLO SLO measures what OpenSLO says: a ratioMetric's error ratio is bad/total events, and a
thresholdMetric's is the share of time slices whose value breaks the objective (op lte 0.5: a slice above
0.5 is bad). Checked by a real promtool test on obsgen's build of the imported spec."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from obsgen.tools.promtool import find_promtool
from tests.conftest import ROOT

SOURCE = Path(__file__).parent / "data" / "openslo" / "checkout-prometheus.yaml"


def _build(tmp_path: Path) -> Path:
    spec = tmp_path / "checkout.yaml"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-m", "obsgen", "import", "openslo", str(SOURCE), "-o", str(spec)],
                   check=True, env=env, capture_output=True)
    subprocess.run([sys.executable, "-m", "obsgen", "build", str(spec), "--out", str(tmp_path / "out"),
                    "--no-test"], check=True, env=env, capture_output=True)
    return tmp_path / "out" / "checkout" / "prometheus" / "recording.rules.yaml"


def _within(record: str, slo: str, value: float) -> dict:
    series = f'{record}{{journey="checkout",slo="{slo}"}}'
    return {"expr": f"count(({series} > {value - 1e-9}) < {value + 1e-9})", "eval_time": "2h",
            "exp_samples": [{"labels": "{}", "value": 1}]}


@pytest.mark.integration
def test_imported_openslo_ratio_and_threshold_slis(tmp_path):
    rules = _build(tmp_path)
    bucket = 'http_request_duration_seconds_bucket{job="checkout",le="%s"}'
    # 2% of 600 requests a minute are 5xx. Latency: the first 90 minutes all under 0.25s (p99 0.2475 is good);
    # the last 30 all between 0.5 and 1s (p99 0.995 breaks lte 0.5), so a quarter of the last 2h's slices are bad.
    series = [
        {"series": 'http_requests_total{job="checkout",code="500"}', "values": "0+12x120"},
        {"series": 'http_requests_total{job="checkout",code="200"}', "values": "0+588x120"},
        {"series": bucket % "0.25", "values": "0+100x90 9000+0x30"},
        {"series": bucket % "1", "values": "0+100x120"},
        {"series": bucket % "+Inf", "values": "0+100x120"},
    ]
    tests = [_within("slo:sli_error:ratio_rate1h", "checkout-availability", 0.02),
             _within("slo:sli_error:ratio_rate2h", "checkout-latency-fast", 0.25)]
    test_file = tmp_path / "openslo.tests.yaml"
    test_file.write_text(yaml.safe_dump({"rule_files": [str(rules)], "evaluation_interval": "1m", "tests": [
        {"interval": "1m", "input_series": series, "promql_expr_test": tests}]}, sort_keys=False))
    result = subprocess.run([find_promtool(), "test", "rules", str(test_file)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
