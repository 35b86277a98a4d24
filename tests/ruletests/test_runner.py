"""Splitting a test file over promtool processes keeps every scenario and the rule paths valid."""

from __future__ import annotations

from pathlib import Path

import yaml

from obsgen.promtool import RuleTestFailure
from obsgen.ruletests.runner import _split, describe


def test_split_balances_groups_and_makes_rule_files_absolute(tmp_path):
    tests = tmp_path / "j" / "tests"
    tests.mkdir(parents=True)
    groups = [{"name": f"g{i}", "alert_rule_test": [{"eval_time": f"{m}m", "alertname": "A"}]}
              for i, m in enumerate([60, 10, 10, 10, 30])]
    source = tests / "j.tests.yaml"
    source.write_text(yaml.safe_dump({"rule_files": ["../prometheus/a.yaml"], "tests": groups}))
    chunks = _split(source, 2, tmp_path)
    docs = [yaml.safe_load(c.read_text()) for c in chunks]
    assert sorted(g["name"] for d in docs for g in d["tests"]) == [f"g{i}" for i in range(5)]
    assert {g["name"] for g in docs[0]["tests"]} == {"g0"}  # the 60-minute group alone balances 30+10+10+10
    rules = (tmp_path / "j" / "prometheus" / "a.yaml").resolve()
    assert all(Path(d["rule_files"][0]).is_absolute() and Path(d["rule_files"][0]).resolve() == rules for d in docs)


def test_a_file_with_one_group_is_not_split(tmp_path):
    source = tmp_path / "one.tests.yaml"
    source.write_text(yaml.safe_dump({"rule_files": [], "tests": [{"name": "only"}]}))
    assert _split(source, 2, tmp_path) == [source]


def test_describe_names_alert_scenario_time_and_file():
    failure = RuleTestFailure("x.yaml", "alert", "name: outage,\nalertname: A, time: 3m,\n  exp:[] got:[]",
                              test_group="outage", alertname="A", eval_time="3m")
    text = describe(failure, "tests/j.tests.yaml")
    assert text.startswith("FAIL alert A in scenario 'outage' at 3m (tests/j.tests.yaml):")
    assert "name: outage" not in text and "exp:[] got:[]" in text
