"""Day/night traffic with incidents, a counter reset and a scrape gap, minute by minute, and the promtool test
that holds a generated ratio to the exact ratio of the counters' increases (tests/rules/test_period_sli.py,
test_calendar_period.py)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from obsgen.artifacts.ruletests.notation import compress
from obsgen.promql import format_duration

DAY = 1440  # minutes
EVAL_MINUTES = 5  # rule evaluations every 5m: each 5m rate covers its own slice of the period
TOLERANCE = 0.01


def requests_per_minute(minute: int) -> int:
    hour = minute % DAY // 60
    return 600 if 8 <= hour < 20 else 60


@dataclass(frozen=True)
class Traffic:
    minutes: int
    incidents: tuple[tuple[int, int, float], ...]  # (first minute, minutes, error ratio)
    reset_at: int  # the service restarts: both counters start again from 0
    gap: range  # minutes without a scrape

    def error_ratio(self, minute: int) -> float:
        for start, length, ratio in self.incidents:
            if start <= minute < start + length:
                return ratio
        return 0.001

    def increments(self) -> tuple[list[int], list[int]]:
        """Requests and errors between the sample of each minute and the next."""
        requests = [requests_per_minute(m) for m in range(self.minutes)]
        return requests, [round(r * self.error_ratio(m)) for m, r in enumerate(requests)]

    def counter(self, steps: list[int]) -> list[int | None]:
        values, total = [], 50_000
        for minute in range(self.minutes + 1):
            if minute == self.reset_at:
                total = 0
            if minute:
                total += steps[minute - 1]
            values.append(None if minute in self.gap else total)
        return values

    def ratio_test_document(self, checks: list[tuple[str, str, int, float]]) -> dict:
        """A promtool test asserting, for each (ratio expression, slo, minute, exact ratio), that the ratio is
        within TOLERANCE of the exact one on this traffic."""
        requests, errors = self.increments()
        tests = [{
            "expr": f"abs((\n{expr}\n) / {exact!r} - 1) < bool {TOLERANCE}",
            "eval_time": format_duration(at * 60),
            "exp_samples": [{"labels": f'{{journey="shop",slo="{slo}"}}', "value": 1}],
        } for expr, slo, at, exact in checks]
        return {
            "rule_files": ["rules.yaml"],
            "evaluation_interval": f"{EVAL_MINUTES}m",
            "tests": [{"interval": "1m", "input_series": [
                {"series": 'shop_requests_total{job="shop"}', "values": compress(self.counter(requests))},
                {"series": 'shop_errors_total{job="shop"}', "values": compress(self.counter(errors))},
            ], "promql_expr_test": tests}],
        }


def exact_ratio(requests: list[int], errors: list[int], first: int, at: int) -> float:
    """Errors over requests counted between the samples at `first` and `at`."""
    first = max(first, 0)
    return sum(errors[first:at]) / sum(requests[first:at])


def promtool_test(binary: str, rules: dict, tests: dict, directory: Path, timeout: int) -> subprocess.CompletedProcess:
    """`promtool test rules` on tests (whose rule_files name rules.yaml) with rules, both written into directory."""
    (directory / "rules.yaml").write_text(yaml.safe_dump(rules, sort_keys=False))
    (directory / "ratio.tests.yaml").write_text(yaml.safe_dump(tests, sort_keys=False))
    return subprocess.run([binary, "test", "rules", "ratio.tests.yaml"], cwd=directory,
                          capture_output=True, text=True, timeout=timeout)
