"""Tests for obsgen.tools.promtool against the real promtool binary (no fakes).

Every test feeds promtool a real file and checks that its human-oriented
output comes back as the right structured data.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from obsgen.artifacts.ruletests.generation import of_version
from obsgen.tools import promtool
from obsgen.tools.promtool import Finding

pytestmark = pytest.mark.integration


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return str(path)


GOOD_RULES = """
groups:
- name: g
  rules:
  - record: job:x:rate5m
    expr: sum by (job) (rate(x_total[5m]))
  - alert: InstanceDown
    expr: up == 0
    for: 5m
    labels:
      severity: page
    annotations:
      summary: "{{ $labels.instance }} down"
"""


def test_find_promtool_prefers_env_var(monkeypatch, tmp_path):
    real = promtool.find_promtool()
    link = tmp_path / "my-promtool"
    link.symlink_to(real)
    monkeypatch.setenv(promtool.ENV_VAR, str(link))
    assert promtool.find_promtool() == str(link)


def test_missing_promtool_raises_with_install_hint(monkeypatch, tmp_path):
    monkeypatch.setenv(promtool.ENV_VAR, str(tmp_path / "nope"))
    with pytest.raises(promtool.PromtoolNotFound, match="apt-get install prometheus"):
        promtool.find_promtool()
    monkeypatch.delenv(promtool.ENV_VAR)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # no pinned build either
    with pytest.raises(promtool.PromtoolNotFound, match="scripts/go-tools install promtool"):
        promtool.check_rules([write(tmp_path, "r.yaml", GOOD_RULES)])


def test_version_is_a_number():
    assert promtool.version()[0].isdigit()


def test_check_rules_clean_file_has_no_findings(tmp_path):
    assert promtool.check_rules([write(tmp_path, "good.yaml", GOOD_RULES)]) == []


def test_check_rules_missing_file_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        promtool.check_rules([tmp_path / "absent.yaml"])


def test_check_rules_parse_errors_carry_file_rule_and_expression_positions(tmp_path):
    bad = write(
        tmp_path,
        "bad.yaml",
        """
        groups:
        - name: g
          rules:
          - record: job:x:rate5m
            expr: sum(rate(x_total[5m])
          - record: a:b:c
            expr: foo{
        """,
    )
    assert promtool.check_rules([bad]) == [
        Finding(bad, "parse error: unclosed left parenthesis", 5, 11, "g", 0, "job:x:rate5m", 1, 22),
        Finding(bad, "parse error: unexpected end of input inside braces", 7, 11, "g", 1, "a:b:c", 1, 5),
    ]


def test_check_rules_attributes_findings_to_the_right_file_in_a_batch(tmp_path):
    good = write(tmp_path, "good.yaml", GOOD_RULES)
    nested = tmp_path / "sub"
    nested.mkdir()
    # Same base name in two directories: the longer path must win the prefix match.
    # (A recording rule with `for:`: both generations refuse it; 3.x accepts "bad name" as a UTF-8 name.)
    bad_top = write(tmp_path, "r.yaml", "groups:\n- name: g\n  rules:\n  - record: a\n    expr: up\n    for: 5m\n")
    bad_sub = write(nested, "r.yaml", "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up{\n")
    findings = promtool.check_rules([good, bad_top, bad_sub])
    assert [(f.file, f.line, f.message) for f in findings] == [
        (bad_top, 4, "invalid field 'for' in recording rule"),
        (bad_sub, 5, "parse error: unexpected end of input inside braces"),
    ]


def test_check_rules_yaml_errors_give_lines(tmp_path):
    syntax = write(tmp_path, "syntax.yaml", "groups:\n- name: g\n  rules:\n  - record: a\n     expr: up\n")
    fields = write(
        tmp_path, "fields.yaml", "groups:\n- name: g\n  rules:\n  - record: a\n    exprr: up\n    labels: 3\n"
    )
    findings = promtool.check_rules([syntax, fields])
    assert [(Path(f.file).name, f.line, f.message) for f in findings] == [
        ("syntax.yaml", 5, "yaml: line 5: mapping values are not allowed in this context"),
        # 2.42 names the type rulefmt.RuleNode, 3.x rulefmt.Rule
        ("fields.yaml", 5, "yaml: field exprr not found in type rulefmt.Rule" + ("Node" if of_version(promtool.version()) == 2 else "")),
        ("fields.yaml", 6, "yaml: cannot unmarshal !!int `3` into map[string]string"),
    ]


def test_check_rules_findings_without_position_keep_rule_context(tmp_path):
    bad = write(
        tmp_path,
        "tmpl.yaml",
        """
        groups:
        - name: alerts
          rules:
          - alert: Foo
            expr: up == 0
            annotations:
              summary: "{{ $value "
        """,
    )
    (finding,) = promtool.check_rules([bad])
    assert (finding.line, finding.group, finding.rule_index, finding.rule_name) == (None, "alerts", 0, "Foo")
    assert finding.message.startswith('annotation "summary": template:')


def test_parse_exprs_maps_each_error_to_its_expression():
    results = promtool.parse_exprs(
        ["sum(rate(x_total[5m]))", "sum(rate(x[5m])", 'up{job="a"}', "a\n+\n(", 'x{a="}"}[5m]']
    )
    assert results[0] is None and results[2] is None and results[4] is None
    assert (results[1].message, results[1].line, results[1].col) == ("parse error: unclosed left parenthesis", 1, 16)
    assert (results[3].line, results[3].col) == (3, 2)


def logged_promtool(tmp_path: Path, monkeypatch) -> Path:
    """The real promtool behind a script that logs each command it is given; the log's path."""
    log, script = tmp_path / "promtool.log", tmp_path / "promtool-logged"
    script.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec {promtool.find_promtool()} "$@"\n')
    script.chmod(0o755)
    monkeypatch.setenv(promtool.ENV_VAR, str(script))
    return log


def runs(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_expressions_parsed_beforehand_are_answered_without_promtool(tmp_path, monkeypatch):
    log = logged_promtool(tmp_path, monkeypatch)
    good, bad = "sum(rate(x_total[5m]))", "sum(rate(x[5m])"
    with promtool.expressions_parsed([good, bad, good]):
        assert runs(log) == 1
        inside = promtool.parse_exprs([bad, good])
        assert runs(log) == 1
        assert promtool.parse_exprs(["up", good]) == [None, None] and runs(log) == 2  # "up" was not among them
    assert promtool.parse_exprs([bad, good]) == inside and runs(log) == 3  # outside the block, promtool again
    assert inside[0].message == "parse error: unclosed left parenthesis" and inside[1] is None


def test_a_fleet_build_parses_every_journey_dashboards_queries_in_one_promtool_run(tmp_path, monkeypatch):
    """Seven journeys: one `check rules` for the rule files, one for the queries of every journey's dashboard and
    of the fleet's index; not one per dashboard."""
    from obsgen.build.pipeline import build_fleet
    from tests.conftest import ROOT

    log = logged_promtool(tmp_path, monkeypatch)
    monkeypatch.setenv("OBSGEN_NO_CACHE", "1")
    specs = sorted((ROOT / "specs" / "examples").glob("*.yaml"))
    build_fleet(specs, tmp_path / "out", run_tests=False)
    checks = [line for line in log.read_text().splitlines() if line.startswith("check rules")]
    assert len(specs) == 7 and len(checks) == 2, checks


def test_parse_expr_single():
    assert promtool.parse_expr("rate(http_requests_total[5m])") is None
    assert promtool.parse_expr("rate(http_requests_total[5m]").message.startswith("parse error")
    assert promtool.parse_exprs([]) == []


def test_check_config_reports_config_and_rule_file_errors(tmp_path):
    good = write(tmp_path, "good.yaml", GOOD_RULES)
    bad = write(tmp_path, "bad.yaml", "groups:\n- name: g\n  rules:\n  - record: a\n    expr: up{\n")
    config = write(tmp_path, "prometheus.yml", f"global:\n  scrape_interval: 15s\nrule_files: [{good}, {bad}]\n")
    assert [(f.file, f.line) for f in promtool.check_config(config)] == [(bad, 5)]
    assert promtool.check_config(config, syntax_only=True) == []
    typo = write(tmp_path, "typo.yml", "global:\n  scrape_intervl: 15s\n")
    assert promtool.check_config(typo) == [Finding(typo, "field scrape_intervl not found in type config.plain", 2)]


UNIT_TEST = """
rule_files: [rules.yaml]
evaluation_interval: 1m
tests:
- name: instance down pages
  interval: 1m
  input_series:
  - series: 'up{job="a", instance="i1"}'
    values: '0x10'
  alert_rule_test:
  - eval_time: 10m
    alertname: InstanceDown
    exp_alerts:
    - exp_labels: {severity: SEVERITY, job: a, instance: i1}
      exp_annotations: {summary: "i1 down"}
  promql_expr_test:
  - expr: job:x:rate5m
    eval_time: 1m
    exp_samples: EXPECTED_SAMPLES
"""


def test_test_rules_passing_file(tmp_path):
    write(tmp_path, "rules.yaml", GOOD_RULES)
    unit = write(tmp_path, "t.yaml", UNIT_TEST.replace("SEVERITY", "page").replace("EXPECTED_SAMPLES", "[]"))
    result = promtool.test_rules([unit])
    assert result.passed and result.failures == () and result.files == (unit,)


def test_test_rules_reports_alert_and_expr_failures_with_their_group(tmp_path):
    write(tmp_path, "rules.yaml", GOOD_RULES)
    wrong = UNIT_TEST.replace("SEVERITY", "ticket").replace(
        "EXPECTED_SAMPLES", "\n    - labels: 'job:x:rate5m'\n      value: 1"
    )
    unit = write(tmp_path, "t.yaml", wrong)
    result = promtool.test_rules([unit])
    assert not result.passed
    alert, expr = result.failures
    assert (alert.kind, alert.test_group, alert.alertname, alert.eval_time) == (
        "alert",
        "instance down pages",
        "InstanceDown",
        "10m",
    )
    assert 'severity="ticket"' in alert.text and 'severity="page"' in alert.text
    assert (expr.kind, expr.test_group, expr.expr, expr.eval_time) == (
        "expr",
        "instance down pages",
        "job:x:rate5m",
        "1m",
    )
    assert "got: nil" in expr.text


def rule_test_runs(log: Path) -> list[list[str]]:
    """The files of each `test rules` command in a logged_promtool's log."""
    lines = log.read_text().splitlines() if log.exists() else []
    return [line.split()[2:] for line in lines if line.startswith("test rules ")]


def test_test_rules_runs_files_that_pass_in_one_promtool(tmp_path, monkeypatch):
    write(tmp_path, "rules.yaml", GOOD_RULES)
    passing = UNIT_TEST.replace("SEVERITY", "page").replace("EXPECTED_SAMPLES", "[]")
    units = [write(tmp_path, f"t{i}.yaml", passing) for i in range(3)]
    log = logged_promtool(tmp_path, monkeypatch)
    results = promtool.test_rules_each(units)
    assert [r.files for r in results] == [(u,) for u in units] and all(r.passed for r in results)
    assert rule_test_runs(log) == [units]


def test_test_rules_splits_a_command_line_that_would_be_too_long(tmp_path, monkeypatch):
    """A fleet's thousands of scoped files must not exceed the system's limit on a command line."""
    write(tmp_path, "rules.yaml", GOOD_RULES)
    passing = UNIT_TEST.replace("SEVERITY", "page").replace("EXPECTED_SAMPLES", "[]")
    units = [write(tmp_path, f"t{i}.yaml", passing) for i in range(3)]
    monkeypatch.setattr(promtool, "MAX_ARGUMENT_BYTES", 2 * (len(units[0]) + 1))
    log = logged_promtool(tmp_path, monkeypatch)
    assert all(r.passed for r in promtool.test_rules_each(units))
    assert rule_test_runs(log) == [units[:2], units[2:]]


def test_test_rules_runs_a_file_that_fails_among_others_again_alone(tmp_path, monkeypatch):
    """promtool's stderr names no file: the failure is taken from the failing file's own run."""
    write(tmp_path, "rules.yaml", GOOD_RULES)
    good = write(tmp_path, "good.yaml", UNIT_TEST.replace("SEVERITY", "page").replace("EXPECTED_SAMPLES", "[]"))
    bad = write(tmp_path, "bad.yaml", UNIT_TEST.replace("SEVERITY", "ticket").replace("EXPECTED_SAMPLES", "[]"))
    log = logged_promtool(tmp_path, monkeypatch)
    result = promtool.test_rules([bad, good])
    (failure,) = result.failures
    assert (failure.file, failure.alertname, result.files) == (bad, "InstanceDown", (bad, good))
    assert rule_test_runs(log) == [[bad, good], [bad]]


def test_test_rules_runs_every_file_alone_when_promtool_warns(tmp_path, monkeypatch):
    """A warning names no test file either, and each file's result keeps its own (the cache stores them)."""
    write(tmp_path, "rules.yaml", GOOD_RULES)
    good = write(tmp_path, "good.yaml", UNIT_TEST.replace("SEVERITY", "page").replace("EXPECTED_SAMPLES", "[]"))
    warns = write(tmp_path, "warns.yaml", UNIT_TEST.replace("SEVERITY", "page").replace("EXPECTED_SAMPLES", "[]")
                  .replace("[rules.yaml]", "[rules.yaml, nothing-*.yaml]"))
    log = logged_promtool(tmp_path, monkeypatch)
    good_result, warned = promtool.test_rules_each([good, warns])
    assert good_result.passed and good_result.warnings == ()
    assert warned.passed and len(warned.warnings) == 1 and "nothing-*.yaml" in warned.warnings[0]
    assert rule_test_runs(log) == [[good, warns], [good], [warns]]


def test_passed_files_reads_each_generations_report():
    names = ["a.yaml", "b.yaml", "c.yaml"]
    promtool_3 = "Processing test file: a.yaml\n  SUCCESS\n\nProcessing test file: b.yaml\n\n\n" \
                 "Processing test file: c.yaml\n  SUCCESS\n\n"
    promtool_2 = promtool_3.replace("Processing test file: ", "Unit Testing:  ")
    assert promtool.passed_files(promtool_3, names) == promtool.passed_files(promtool_2, names) == {"a.yaml", "c.yaml"}
    assert promtool.passed_files("Processing test file: b.yaml\n  SUCCESS\n", names) == set(), "a name out of order"


def test_test_rules_broken_test_file_and_missing_rule_file(tmp_path):
    unit = write(
        tmp_path,
        "broken.yaml",
        "rule_files: [missing.yaml]\ntests:\n- name: x\n  input_series:\n  - series: 'up{'\n    values: '1'\n",
    )
    result = promtool.test_rules([unit])
    (failure,) = result.failures
    assert failure.kind == "error" and "parse error" in failure.text
    assert result.warnings == (f"no file match pattern {os.path.join(str(tmp_path), 'missing.yaml')}",)
