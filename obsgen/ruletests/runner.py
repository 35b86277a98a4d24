"""Run the generated rule unit tests with promtool and say which alert failed in which scenario."""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

from obsgen import build_cache, progress, promtool
from obsgen.paths import shown as paths_shown
from obsgen.errors import ObsgenError
from obsgen.promql import parse_duration
from obsgen.ruletests.testfile import TESTS_DIR

MAX_WORKERS = 4


class MissingOutput(ObsgenError):
    """`obsgen test` was pointed at an output directory that does not exist."""

    exit_code = 2


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


def run(paths: list[Path], workers: int | None = None) -> Report:
    """promtool on every file; each file's scenarios split over a few promtool processes.

    promtool's cost is per evaluation step and it runs one test group after the other on one
    core, so splitting the groups of a file over the cores divides the wait. Failures still
    name the file that was asked for.
    """
    workers = workers or min(MAX_WORKERS, os.cpu_count() or 1)
    failures: list[promtool.RuleTestFailure] = []
    with tempfile.TemporaryDirectory(prefix="obsgen-rule-tests-") as tmp:
        jobs = [(path, chunk) for path in paths for chunk in _split(path, workers, Path(tmp))]
        with ThreadPoolExecutor(max_workers=max(1, len(jobs))) as pool:
            results = list(pool.map(lambda job: build_cache.test_rules([job[1]]), jobs))
        for (path, _), result in zip(jobs, results):
            failures.extend(dataclasses.replace(f, file=str(path)) for f in result.failures)
    groups, assertions = _count(paths)
    return Report(tuple(str(p) for p in paths), groups, assertions, tuple(failures))


def _split(path: Path, parts: int, tmp: Path) -> list[Path]:
    """The file itself, or copies holding a share of its test groups (longest first, into the
    emptiest share), with rule_files made absolute so they still find the rules."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    groups = doc.get("tests") or []
    if parts < 2 or len(groups) < 2:
        return [path]
    shares: list[list[dict]] = [[] for _ in range(parts)]
    load = [0.0] * parts
    for group in sorted(groups, key=_steps, reverse=True):
        emptiest = load.index(min(load))
        shares[emptiest].append(group)
        load[emptiest] += _steps(group)
    base = path.resolve().parent
    rule_files = [str(base / f) for f in doc.get("rule_files") or []]
    chunks = []
    for index, share in enumerate(s for s in shares if s):
        chunk = tmp / f"{path.stem}.{index}.yaml"
        chunk.write_text(yaml.safe_dump({**doc, "rule_files": rule_files, "tests": share}, sort_keys=False),
                         encoding="utf-8")
        chunks.append(chunk)
    return chunks


def _steps(group: dict) -> float:
    """Evaluation steps promtool runs for a group: up to its latest eval_time."""
    times = [c.get("eval_time", "0s") for c in (group.get("alert_rule_test") or []) + (group.get("promql_expr_test") or [])]
    return max((parse_duration(str(t)) for t in times), default=0.0)


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
    with progress.phase(f"test {shown_dir or paths_shown(journey_dir)}: promtool test rules on {len(paths)} file(s)"):
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


def run_specs(specs: list[Path], out_dir: Path, *, fresh: bool, echo: Callable[[str], None],
              prometheus_version: int | None = None) -> bool:
    """`obsgen test`: the committed tests of each spec's journey (and of the dependencies its fleet
    shares), or a fresh build's when asked (or when the journey has no committed tests; a missing
    out_dir is an error unless fresh). A fresh build includes the journeys the spec was built
    together with, so it tests what `obsgen build` publishes; its tests are written
    for prometheus_version (None: the local promtool's generation). Committed tests are written for
    the primary target: a promtool of the other generation tests a fresh build written for it."""
    from obsgen.emitters.fleet import FLEET_DIR
    from obsgen.pipeline import build_fleet, fleet_mates, load_in_fleet
    from obsgen.ruletests import generation

    if not fresh and not out_dir.is_dir():
        # A typo in --out must not pass silently by testing something else.
        raise MissingOutput(f"{out_dir}: no such output directory to test; build it first "
                            f"(obsgen build --out {out_dir}), or pass --fresh to test a fresh build")
    local = generation.detected()
    if not fresh and local != generation.PRIMARY:
        echo(f"promtool is Prometheus {local}; the committed tests are written for Prometheus "
             f"{generation.PRIMARY}: testing fresh builds written for Prometheus {local}")
        fresh = True
    prometheus_version = prometheus_version or local
    passed = True
    for spec in specs:
        progress.step(f"test: loading {paths_shown(spec)}")
        journey = load_in_fleet(spec, out_dir)
        committed = out_dir / journey.name
        if not fresh and rule_test_files(committed):
            passed &= run_journey_dir(committed, echo)
            continue
        if not fresh:
            echo(f"{committed}: no committed rule tests; testing a fresh build instead")
        with tempfile.TemporaryDirectory(prefix="obsgen-test-") as tmp:
            result = build_fleet([spec, *fleet_mates(journey.name, out_dir)], Path(tmp), validate=False,
                                 prometheus_version=prometheus_version)
            built = next(r.directory for r in result.journeys if r.journey.name == journey.name)
            passed &= run_journey_dir(built, echo, shown_dir=f"fresh build of {spec}")
            if rule_test_files(result.directory):
                passed &= run_journey_dir(result.directory, echo, shown_dir=f"fresh build of {spec}: shared dependencies")
    if not fresh and rule_test_files(out_dir / FLEET_DIR):
        passed &= run_journey_dir(out_dir / FLEET_DIR, echo)
    return passed
