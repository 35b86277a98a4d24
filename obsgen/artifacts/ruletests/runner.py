"""Run the generated rule unit tests with promtool and say which alert failed in which scenario."""

from __future__ import annotations

import dataclasses
import glob
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

from obsgen import progress, yamlio
from obsgen.artifacts.layout import TEST_FILE_SUFFIX, TESTS_DIR
from obsgen.artifacts.ruletests.scope import Place, Rules, eval_order, needed, scoped
from obsgen.paths import shown as paths_shown
from obsgen.promql import parse_duration
from obsgen.render import dump_yaml
from obsgen.tools import promtool


@dataclass(frozen=True)
class Report:
    files: tuple[str, ...]
    groups: int
    assertions: int
    failures: tuple[promtool.RuleTestFailure, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class TestFile:
    """A rule-test file with its content and its rule files' content, read once."""

    path: Path
    document: dict
    rules: Rules
    readable: bool = True  # False: it or a rule file is no YAML mapping; promtool gets it as written

    __test__ = False  # pytest: API, not a test class


@dataclass(frozen=True)
class Job:
    """One promtool process: some test groups of one file, with the rules they need."""

    source: TestFile
    groups: tuple[int, ...]  # positions in the source's tests, in file order
    keep: frozenset[Place]
    cost: float
    as_written: bool = False  # the file itself, unscoped: its shape is not what scoping reads


def rule_test_files(journey_dir: Path) -> list[Path]:
    return sorted((journey_dir / TESTS_DIR).glob(f"*{TEST_FILE_SUFFIX}"))


def load_test_file(path: Path, known: Mapping[Path, dict] | None = None) -> TestFile:
    """The file and its rule files: from known (resolved path -> the data a build wrote there) when the
    build has them, else parsed with libyaml."""
    known = known or {}
    try:
        document = _document(path, known)
        names = document.get("rule_files") or []
        rule_paths = [p for name in _listed(names) for p in _matching(path.parent / str(name), known)]
        return TestFile(path, document, Rules(tuple(_document(p, known) for p in rule_paths)))
    except (OSError, yaml.YAMLError, _NotAMapping):
        return TestFile(path, {}, Rules(()), readable=False)


class _NotAMapping(ValueError):
    pass


def _matching(pattern: Path, known: Mapping[Path, dict]) -> list[Path]:
    """The files a rule_files entry names: promtool reads each as a glob, so one that matches nothing
    (a journey without alerts of its own names its empty alerts file) is no error."""
    if pattern.resolve() in known:
        return [pattern.resolve()]
    return [Path(match).resolve() for match in sorted(glob.glob(str(pattern)))]


def _document(path: Path, known: Mapping[Path, dict]) -> dict:
    document = known.get(path.resolve())
    if document is None:
        document = yamlio.load(path.read_text(encoding="utf-8"))
    if document is None:  # an empty file
        return {}
    if not isinstance(document, dict):
        raise _NotAMapping(path)
    return document


# What runs `promtool test rules` on files (and takes go_threads, as promtool.test_rules): the build passes
# obsgen.build.cache.test_rules, which answers again, without promtool, the runs that passed on the same bytes before.
TestRules = Callable[..., promtool.RuleTestResult]


def run(paths: list[Path], workers: int | None = None, known: Mapping[Path, dict] | None = None,
        test_rules: TestRules = promtool.test_rules) -> Report:
    """promtool on every test file, each test group evaluating only the rules it needs (see scope)."""
    return run_files([load_test_file(path, known) for path in paths], workers, test_rules)


def run_files(tests: list[TestFile], workers: int | None = None, test_rules: TestRules = promtool.test_rules) -> Report:
    """One promtool process a core, for all the files, each given an equal share of the work.

    promtool runs the groups of a file one after the other on one core, so the groups are spread over
    jobs: those that need the same rules share a scoped copy of them, and a job much longer than a
    core's share is split. The jobs are then dealt into one promtool process a core, longest first into
    the lightest: a process costs as much to start as a short job (BENCHMARKS.md "Fewer promtool
    processes"). Failures name the file that was asked for, never a scoped copy.
    """
    workers = workers or os.cpu_count() or 1
    jobs = _balanced([job for test in tests for job in _scoped_jobs(test)], workers)
    with tempfile.TemporaryDirectory(prefix="obsgen-rule-tests-") as tmp:
        files = [os.fspath(job.source.path if job.as_written else _write_job(job, Path(tmp) / str(index)))
                 for index, job in enumerate(jobs)]
        processes = lightest_first({i: job.cost for i, job in enumerate(jobs)}, min(workers, len(jobs)))
        side_by_side = max(1, len(processes))
        threads = max(1, (os.cpu_count() or 1) // side_by_side)  # each promtool its share of the cores

        def test(indexes: list[int]) -> promtool.RuleTestResult:
            return test_rules([files[i] for i in sorted(indexes)], go_threads=threads)
        with ThreadPoolExecutor(max_workers=side_by_side) as pool:
            results = list(pool.map(test, processes))
    job_of = {name: index for index, name in enumerate(files)}  # a failure names the file its job ran as
    ran = sorted(((job_of[f.file], f) for r in results for f in r.failures), key=lambda failed: failed[0])
    failures = [_as_asked(f, jobs[i].source.path, files[i]) for i, f in ran]
    groups = [g for test in tests for g in _listed(test.document.get("tests"))]
    assertions = sum(len(_listed(g.get(key))) for g in groups if isinstance(g, dict)
                     for key in ("alert_rule_test", "promql_expr_test"))
    return Report(tuple(str(t.path) for t in tests), len(groups), assertions, tuple(failures))


def _scoped_jobs(test: TestFile) -> list[Job]:
    if not _scopable(test):
        return [Job(test, (), frozenset(), 0.0, as_written=True)]
    by_need: dict[frozenset[Place], list[int]] = {}
    for index, group in enumerate(test.document.get("tests") or []):
        by_need.setdefault(needed(group, test.rules), []).append(index)
    return [Job(test, tuple(indexes), keep, sum(_cost(test, i, keep) for i in indexes))
            for keep, indexes in by_need.items()]


def _scopable(test: TestFile) -> bool:
    """Whether the files have the shape scoping reads; a hand-edited file that has not goes to promtool
    as it is, which says what is wrong with it."""
    groups = test.document.get("tests") or []
    if not test.readable or not isinstance(test.document.get("rule_files") or [], list):
        return False
    rule_groups = [document.get("groups") or [] for document in test.rules.documents]
    if not (_dicts(groups) and all(map(_dicts, rule_groups))):
        return False
    cases = [group.get(key) or [] for group in groups for key in ("alert_rule_test", "promql_expr_test")]
    rules = [group.get("rules") or [] for file_groups in rule_groups for group in file_groups]
    return all(map(_dicts, cases + rules)) and all(evaluated_seconds(group) is not None for group in groups)


def _listed(value: object) -> list:
    return value if isinstance(value, list) else []


def _dicts(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def _cost(test: TestFile, index: int, keep: frozenset[Place]) -> float:
    """promtool's work for a group: every kept rule at every evaluation step, plus loading its series."""
    group = test.document["tests"][index]
    steps = evaluated_seconds(group) / _evaluation_interval(test) + 1
    return steps * (len(keep) + 1) + len(group.get("input_series") or [])


def _evaluation_interval(test: TestFile) -> float:
    """Seconds between promtool's evaluations of the file's rules (its default: 1m)."""
    try:
        return parse_duration(str(test.document.get("evaluation_interval") or "1m")) or 60.0
    except ValueError:
        return 60.0


def _balanced(jobs: list[Job], workers: int) -> list[Job]:
    """Jobs longer than a core's share of the whole split into shares (longest group first, into the
    lightest share), so no core waits on one long file while the other idles."""
    share = sum(job.cost for job in jobs) / workers
    split = []
    for job in jobs:
        parts = min(len(job.groups), max(1, round(job.cost / share))) if share else 1
        split += _split(job, parts)
    return split


def _split(job: Job, parts: int) -> list[Job]:
    if parts < 2:
        return [job]
    costs = {i: _cost(job.source, i, job.keep) for i in job.groups}
    return [Job(job.source, tuple(sorted(share)), job.keep, sum(costs[i] for i in share))
            for share in lightest_first(costs, parts)]


def lightest_first(costs: Mapping[int, float], parts: int) -> list[list[int]]:
    """The keys dealt into at most parts shares of about equal cost: costliest first, each into the
    lightest share so far (ties to the first). Empty shares are left out."""
    shares: list[list[int]] = [[] for _ in range(max(1, parts))]
    load = [0.0] * len(shares)
    for key in sorted(costs, key=lambda k: -costs[k]):
        lightest = load.index(min(load))
        shares[lightest].append(key)
        load[lightest] += costs[key]
    return [share for share in shares if share]


def _write_job(job: Job, directory: Path) -> Path:
    """The job's test file and its scoped rule files, written as JSON (which YAML reads) because the C
    JSON encoder is the fastest writer at hand."""
    directory.mkdir()
    documents, kept_groups = scoped(job.source.rules, job.keep)
    rule_files = []
    for index, document in enumerate(documents):
        rule_files.append(str(_write(directory / f"rules.{index}.yaml", document)))
    source = job.source.document
    test = {**source, "rule_files": rule_files, "tests": [source["tests"][i] for i in job.groups]}
    order = eval_order(source.get("group_eval_order"), kept_groups)
    if order is not None:
        test["group_eval_order"] = order
    return _write(directory / job.source.path.name, test)


def _write(path: Path, data: dict) -> Path:
    try:
        text = json.dumps(data, allow_nan=False)
    except ValueError:  # NaN or infinity, which JSON cannot say and YAML can
        text = dump_yaml(data)
    path.write_text(text, encoding="utf-8")
    return path


def _as_asked(failure: promtool.RuleTestFailure, asked: Path, ran: Path) -> promtool.RuleTestFailure:
    return dataclasses.replace(failure, file=str(asked), text=failure.text.replace(str(ran), str(asked)))


def evaluated_seconds(group: dict) -> float | None:
    """Seconds promtool evaluates a group for: up to its latest eval_time (None: one is no duration)."""
    cases = (group.get("alert_rule_test") or []) + (group.get("promql_expr_test") or [])
    try:
        return max((parse_duration(str(c.get("eval_time", "0s"))) for c in cases), default=0.0)
    except ValueError:
        return None


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


def run_journey_dir(journey_dir: Path, echo: Callable[[str], None], shown_dir: str | None = None,
                    test_rules: TestRules = promtool.test_rules) -> bool:
    """Run every test file of one generated journey directory; report and return whether all passed."""
    paths = rule_test_files(journey_dir)
    if not paths:
        echo(f"{shown_dir or journey_dir}: no rule tests (expected {TESTS_DIR}/*{TEST_FILE_SUFFIX})")
        return False
    with progress.phase(f"test {shown_dir or paths_shown(journey_dir)}: promtool test rules on {len(paths)} file(s)"):
        report = run(paths, test_rules=test_rules)
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
