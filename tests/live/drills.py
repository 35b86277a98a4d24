"""Running `obsgen drill` against a live stack (tests/live/conftest.py) and judging its JSON report against the
impact map: what the drill tests of tests/live/ share."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from obsgen.artifacts.alertmanager.config import SEVERITY_TIMING
from obsgen.clients.prometheus import PrometheusApi
from obsgen.promql import parse_duration

# Drill time: windows and `for` / 720 (the 6 h ticket windows become 30 s), at least 4 scrapes.
SCALE = "720"
HOLD = "30s"
TIMEOUT = "3m"
RATE = "3"  # visits/s; the test stack's fast worker takes 0.5 s per order


def drill(stack, spec: Path, dependency: str, *expect: str) -> tuple[int, dict]:
    args = [sys.executable, "-m", "obsgen", "drill", str(spec), dependency, "--state-dir", str(stack.state_dir),
            "--generated", str(stack.generated_dir), "--scale", SCALE, "--hold", HOLD, "--timeout", TIMEOUT,
            "--rate", RATE, "--format", "json"]
    for alert in expect:
        args += ["--expect", alert]
    result = subprocess.run(args, capture_output=True, text=True, timeout=900, check=False)
    assert result.stdout, result.stderr
    return result.returncode, json.loads(result.stdout)


PAGE_GROUP_WAIT = parse_duration(SEVERITY_TIMING["page"]["group_wait"])


def assert_matches_impact_map(code: int, report: dict, cause: str) -> None:
    failures = [f["message"] for f in report["findings"] if f["level"] == "FAIL"]
    assert code == 0 and report["passed"], "\n".join(failures)
    rows = {(a["alert"], a["severity"]): a for a in report["alerts"]}
    cause_row = rows[(cause, "page")]
    assert cause_row["role"] == "cause"
    assert cause_row["firing_s"] is not None and cause_row["alertmanager_active_s"] is not None
    assert cause_row["resolved_after_restore_s"] is not None
    for row in rows.values():
        assert row["role"] != "unexpected", row
        assert row["resolved_s"] is not None, row
        # A symptom that fired while its cause was active in Alertmanager was held back there.
        if row["role"] == "symptom" and row["firing_s"] is not None and 0 <= row["firing_s"] < report["restored_at_s"]:
            assert row["alertmanager_inhibited_s"] is not None, row
        # ... and no symptom ever reached on-call, also after the cause resolved (its companion held it; the
        # drill's judge fails a held symptom active after the cause resolved). Prometheus evaluates the shared
        # cause's group and a journey's groups independently, so a symptom may reach Alertmanager one
        # evaluation before its cause: it must be inhibited within the page's group_wait, before any notification.
        if row["role"] == "symptom" and row["alertmanager_active_s"] is not None:
            assert row["alertmanager_inhibited_s"] is not None, row
            assert 0 <= row["alertmanager_inhibited_s"] - row["alertmanager_active_s"] < PAGE_GROUP_WAIT, row
    assert "divided by 720" in report["scale"]["description"]


def assert_generated_rules_are_back(stack) -> None:
    files = {group["file"] for group in PrometheusApi(stack.prometheus).rules()}
    assert files and all(f.startswith(str(stack.generated_dir)) for f in files), files
