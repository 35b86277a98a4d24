"""Run the generated rule unit tests with promtool and say which alert failed in which scenario."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from obsgen import promtool
from obsgen.ruletests.testfile import TESTS_DIR


@dataclass(frozen=True)
class Report:
    files: tuple[str, ...]
    groups: int
    assertions: int
    failures: tuple[promtool.RuleTestFailure, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def rule_test_files(journey_dir: Path) -> list[Path]:
    return sorted((journey_dir / TESTS_DIR).glob("*.tests.yaml"))


def _count(paths: list[Path]) -> tuple[int, int]:
    groups = assertions = 0
    for path in paths:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for group in doc.get("tests") or []:
            groups += 1
            assertions += len(group.get("alert_rule_test") or []) + len(group.get("promql_expr_test") or [])
    return groups, assertions


def run(paths: list[Path]) -> Report:
    result = promtool.test_rules(paths)
    groups, assertions = _count(paths)
    return Report(tuple(str(p) for p in paths), groups, assertions, result.failures)


def describe(failure: promtool.RuleTestFailure, shown_file: str | None = None) -> str:
    """One failure as a person reads it: what (alert or rule), where (scenario, time), and promtool's words."""
    where = f"scenario '{failure.test_group}'" if failure.test_group else "an unnamed scenario"
    when = f" at {failure.eval_time}" if failure.eval_time else ""
    if failure.kind == "alert":
        what = f"alert {failure.alertname}"
    elif failure.kind == "expr":
        what = f"recording rule check `{failure.expr}`"
    elif failure.kind == "eval":
        what = f"rule {failure.rule} failed to evaluate"
    else:
        what = "the test file is broken"
    lines = failure.text.splitlines()
    if lines and failure.test_group and lines[0].strip() == f"name: {failure.test_group},":
        lines = lines[1:]  # promtool repeats the scenario name the header already gives
    text = "\n".join(f"    {line}" for line in lines)
    return f"FAIL {what} in {where}{when} ({shown_file or failure.file}):\n{text}"


def run_journey_dir(journey_dir: Path, echo: Callable[[str], None], shown_dir: str | None = None) -> bool:
    """Run every test file of one generated journey directory; report and return whether all passed."""
    paths = rule_test_files(journey_dir)
    if not paths:
        echo(f"{shown_dir or journey_dir}: no rule tests (expected {TESTS_DIR}/*.tests.yaml)")
        return False
    report = run(paths)
    shown = {str(p): _shown(p, journey_dir, shown_dir) for p in paths}
    for failure in report.failures:
        echo(describe(failure, shown.get(failure.file)))
    names = ", ".join(shown.values())
    if report.passed:
        echo(f"{names}: {report.groups} scenarios, {report.assertions} assertions passed "
             f"(promtool {promtool.version()})")
    else:
        echo(f"{names}: {len(report.failures)} of {report.assertions} assertions failed")
    return report.passed


def _shown(path: Path, journey_dir: Path, shown_dir: str | None) -> str:
    if shown_dir is None:
        return str(path)
    return f"{shown_dir}: {path.relative_to(journey_dir).as_posix()}"


def run_specs(specs: list[Path], out_dir: Path, *, fresh: bool, echo: Callable[[str], None]) -> bool:
    """`obsgen test`: the committed tests of each spec's journey, or a fresh build's when asked (or missing)."""
    from obsgen.pipeline import build
    from obsgen.spec.loader import load_journey

    passed = True
    for spec in specs:
        journey = load_journey(spec)
        committed = out_dir / journey.name
        if not fresh and rule_test_files(committed):
            passed &= run_journey_dir(committed, echo)
            continue
        if not fresh:
            echo(f"{committed}: no committed rule tests; testing a fresh build instead")
        with tempfile.TemporaryDirectory(prefix="obsgen-test-") as tmp:
            result = build(spec, Path(tmp), validate=False)
            passed &= run_journey_dir(result.directory, echo, shown_dir=f"fresh build of {spec}")
    return passed
