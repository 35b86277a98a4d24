"""Spreading test groups over promtool jobs: groups that need the same rules share a job, long jobs split,
and each job's files hold the rules it needs where they were."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from obsgen.artifacts.ruletests.runner import (TestFile, _balanced, _scoped_jobs, _write_job, describe, lightest_first,
                                               load_test_file, run_files)
from obsgen.tools import promtool
from obsgen.tools.promtool import RuleTestFailure


def _test_file(tmp_path: Path, groups: list[dict], rules: list[dict]) -> TestFile:
    """A test file whose documents are handed over (known), as a build does: nothing on disk is read."""
    tests = tmp_path / "j" / "tests" / "j.tests.yaml"
    rule_file = (tmp_path / "j" / "prometheus" / "a.yaml").resolve()
    document = {"rule_files": ["../prometheus/a.yaml"], "group_eval_order": ["first", "second"], "tests": groups}
    known = {tests.resolve(): document, rule_file: {"groups": rules}}
    return load_test_file(tests, known)


RULES = [{"name": "first", "interval": "2m", "rules": [{"record": "r:a", "expr": "sum(m)"},
                                                       {"record": "r:unread", "expr": "sum(n)"}]},
         {"name": "second", "rules": [{"alert": "A", "expr": "r:a > 1", "for": "5m"},
                                      {"alert": "B", "expr": "n > 1"}]}]


def _group(name: str, minutes: int, alert: str = "A") -> dict:
    return {"name": name, "interval": "1m", "input_series": [],
            "alert_rule_test": [{"eval_time": f"{minutes}m", "alertname": alert}]}


def test_groups_needing_the_same_rules_share_one_job(tmp_path):
    test = _test_file(tmp_path, [_group("g0", 10), _group("g1", 10, "B"), _group("g2", 5)], RULES)
    jobs = _scoped_jobs(test)
    assert sorted(job.groups for job in jobs) == [(0, 2), (1,)]


def test_a_job_longer_than_a_cores_share_is_split_longest_group_first(tmp_path):
    groups = [_group(f"g{i}", m) for i, m in enumerate([60, 10, 10, 10, 30])]
    test = _test_file(tmp_path, groups, RULES)
    jobs = _balanced(_scoped_jobs(test), workers=2)
    assert sorted(job.groups for job in jobs) == [(0,), (1, 2, 3, 4)]  # 60 alone balances 30+10+10+10


def test_a_jobs_cost_counts_the_evaluations_of_its_files_interval(tmp_path):
    """A calendar test evaluates once an hour: a day of it is 25 evaluations, not 1,441."""
    hourly = _test_file(tmp_path / "hourly", [_group("day", 24 * 60)], RULES)
    hourly.document["evaluation_interval"] = "1h"
    (day,) = _scoped_jobs(hourly)
    (half_hour,) = _scoped_jobs(_test_file(tmp_path / "minutely", [_group("half an hour", 30)], RULES))
    assert day.cost < half_hour.cost


def test_jobs_are_dealt_longest_first_into_the_lightest_share():
    assert lightest_first({0: 5.0, 1: 9.0, 2: 4.0, 3: 3.0, 4: 1.0}, 2) == [[1, 3], [0, 2, 4]]
    assert lightest_first({0: 1.0}, 2) == [[0]] and lightest_first({}, 2) == []


@pytest.mark.integration
@pytest.mark.parametrize("workers", [1, 2])
def test_promtools_side_by_side_share_the_cores_and_one_alone_has_them_all(tmp_path, workers):
    """Go's threads of promtools that each take every core contend for them (BENCHMARKS.md "One core per
    promtool in the rule-test pool"): each process of the pool is given its share as GOMAXPROCS."""
    test = _test_file(tmp_path, [_group("g0", 10), _group("g1", 10, "B")], RULES)  # two jobs: other rules
    asked: list[tuple[int, int | None]] = []

    def recorded(files: list[str], go_threads: int | None = None) -> promtool.RuleTestResult:
        asked.append((len(files), go_threads))
        return promtool.test_rules(files, go_threads=go_threads)
    report = run_files([test], workers=workers, test_rules=recorded)
    cores = os.cpu_count() or 1
    # one process a worker, the two jobs dealt between them
    assert report.passed and sorted(asked) == {1: [(2, cores)], 2: [(1, max(1, cores // 2))] * 2}[workers]


def test_a_job_file_holds_only_the_needed_rules_in_their_groups_and_order(tmp_path):
    test = _test_file(tmp_path, [_group("g0", 10)], RULES)
    (job,) = _scoped_jobs(test)
    (tmp_path / "run").mkdir()
    written = yaml.safe_load(_write_job(job, tmp_path / "run" / "0").read_text())
    rules = [yaml.safe_load(Path(f).read_text()) for f in written["rule_files"]]
    assert rules == [{"groups": [{"name": "first", "interval": "2m", "rules": [{"record": "r:a", "expr": "sum(m)"}]},
                                 {"name": "second", "rules": [{"alert": "A", "expr": "r:a > 1", "for": "5m"}]}]}]
    assert written["group_eval_order"] == ["first", "second"]
    assert [g["name"] for g in written["tests"]] == ["g0"]


def test_a_group_evaluation_order_names_only_groups_kept(tmp_path):
    test = _test_file(tmp_path, [_group("g0", 10, "B")], RULES)
    (job,) = _scoped_jobs(test)
    (tmp_path / "run").mkdir()
    written = yaml.safe_load(_write_job(job, tmp_path / "run" / "0").read_text())
    assert written["group_eval_order"] == ["second"]


def test_describe_names_alert_scenario_time_and_file():
    failure = RuleTestFailure("x.yaml", "alert", "name: outage,\nalertname: A, time: 3m,\n  exp:[] got:[]",
                              test_group="outage", alertname="A", eval_time="3m")
    text = describe(failure, "tests/j.tests.yaml")
    assert text.startswith("FAIL alert A in scenario 'outage' at 3m (tests/j.tests.yaml):")
    assert "name: outage" not in text and "exp:[] got:[]" in text


def test_rule_files_are_globs_as_promtool_reads_them(tmp_path):
    """An entry matching nothing (a journey without alerts of its own) is no error; a pattern reads every match."""
    (tmp_path / "prometheus").mkdir()
    for name in ("b.rules.yaml", "a.rules.yaml"):
        (tmp_path / "prometheus" / name).write_text(yaml.safe_dump({"groups": [{"name": name, "rules": []}]}))
    tests = tmp_path / "tests" / "j.tests.yaml"
    tests.parent.mkdir()
    tests.write_text(yaml.safe_dump({"rule_files": ["../prometheus/*.rules.yaml", "../prometheus/none.yaml"],
                                     "tests": []}))
    loaded = load_test_file(tests)
    assert [d["groups"][0]["name"] for d in loaded.rules.documents] == ["a.rules.yaml", "b.rules.yaml"]


def test_a_file_of_another_shape_runs_as_written(tmp_path):
    """A hand-edited file scoping cannot read goes to promtool whole, which says what is wrong."""
    for tests in (["not a group"], [{"name": "g", "alert_rule_test": [{"eval_time": "soon", "alertname": "A"}]}]):
        test = _test_file(tmp_path, tests, RULES)
        (job,) = _scoped_jobs(test)
        assert job.as_written and job.source.path == test.path


def test_a_file_that_is_no_yaml_mapping_runs_as_written(tmp_path):
    for text in ("[1]\n", "tests: [\n"):
        path = tmp_path / "x.tests.yaml"
        path.write_text(text)
        (job,) = _scoped_jobs(load_test_file(path))
        assert job.as_written
