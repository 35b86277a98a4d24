"""``obsgen lint`` end to end: exit codes 0/1/2 and the three output formats."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from obsgen.cli import main
from tests.lint.helpers import fixture

pytestmark = pytest.mark.integration  # runs real promtool


def lint(*args):
    return CliRunner().invoke(main, ["lint", *args], catch_exceptions=False)


def test_clean_rule_file_and_dashboard_exit_0():
    result = lint(fixture("rules/clean.yaml"), fixture("dashboards/clean.json"))
    assert (result.exit_code, result.output) == (0, "")


def test_findings_exit_1_in_compiler_format():
    result = lint(fixture("rules/alerts_for/bad.yaml"), "--disable", "alerts/annotations", "--disable", "alerts/labels")
    assert result.exit_code == 1
    path = fixture("rules/alerts_for/bad.yaml")
    assert result.output.splitlines() == [
        f"{path}:4:12: warning: alerts/for: alert 'NoFor' has no 'for:'; it fires on one bad evaluation",
        f"{path}:8:10: warning: alerts/for: alert 'ZeroFor' has 'for: 0s'; it fires on one bad evaluation",
    ]


def test_json_format_is_a_list_of_objects():
    result = lint("--format", "json", fixture("dashboards/panel_id/bad.json"))
    assert result.exit_code == 1
    findings = json.loads(result.output)
    first = next(f for f in findings if f["check"] == "dashboard/panel-id")
    assert first == {
        "check": "dashboard/panel-id",
        "col": 12,
        "json_path": "panels[1].id",
        "line": 9,
        "message": "panel id 3 is also used by panels[0].panels[1]",
        "path": fixture("dashboards/panel_id/bad.json"),
        "severity": "error",
    }


def test_github_format_is_workflow_annotations():
    result = lint("--format", "github", fixture("rules/promtool_rules/bad.yaml"), "--disable", "alerts/for")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    escaped = fixture("rules/promtool_rules/bad.yaml").replace(":", "%3A").replace(",", "%2C")
    repeated_group = 'groupname: "g" is repeated in the same file'
    assert f"::error file={escaped},line=11,col=3,title=promtool/rules::{repeated_group}" in lines
    assert any(line.startswith("::warning ") and "title=alerts/labels" in line for line in lines)


def test_invalid_yaml_and_json_and_unreadable_files_exit_2(tmp_path):
    broken_yaml = tmp_path / "broken.yaml"
    broken_yaml.write_text("groups:\n- name: g\n  rules:\n  - record: a\n     expr: up\n")
    broken_json = tmp_path / "broken.json"
    broken_json.write_text('{"panels": [}')
    result = lint(str(broken_yaml), str(broken_json), str(tmp_path / "missing.yaml"), fixture("rules/clean.yaml"))
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert f"{broken_yaml}:5:10: error: parse: invalid YAML: mapping values are not allowed in this context" in lines
    assert f"{broken_json}:1:13: error: parse: invalid JSON: Expecting value" in lines
    assert any(line.startswith(f"{tmp_path / 'missing.yaml'}: error: parse: cannot read file") for line in lines)


def test_neither_rules_nor_dashboard_exit_2(tmp_path):
    other = tmp_path / "values.yaml"
    other.write_text("replicas: 3\n")
    result = lint(str(other))
    assert result.exit_code == 2
    assert "not a rule file" in result.output


def test_usage_errors_exit_2():
    assert lint().exit_code == 2
    assert lint("--disable", "no/such-check", fixture("rules/clean.yaml")).exit_code == 2
    assert lint("--scrape-interval", "soon", fixture("rules/clean.yaml")).exit_code == 2
    assert lint("--format", "xml", fixture("rules/clean.yaml")).exit_code == 2


def test_missing_promtool_exits_2_with_hint(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # no pinned build either
    monkeypatch.delenv("OBSGEN_PROMTOOL", raising=False)
    result = CliRunner().invoke(main, ["lint", fixture("rules/clean.yaml")])
    assert result.exit_code == 2
    assert "apt-get install prometheus" in result.output
    # Without the promtool-backed checks lint still runs.
    disabled = ["--disable", "promtool/rules", "--disable", "promql/syntax"]
    assert CliRunner().invoke(main, ["lint", *disabled, fixture("rules/clean.yaml")]).exit_code == 0


def test_list_checks_names_every_check():
    output = lint("--list-checks").output
    for check_id in ("alerts/for", "promql/rate", "rules/duplicate", "dashboard/uid", "dashboard/counter-rate"):
        assert f"{check_id}\t" in output


def test_scrape_interval_option():
    result = lint("--scrape-interval", "2m", fixture("rules/clean.yaml"))
    assert result.exit_code == 1
    assert "shorter than 4x the scrape interval (2m)" in result.output


def test_notes_alone_exit_0_and_are_github_notices():
    others = ["--disable", "dashboard/datasource", "--disable", "dashboard/unit",
              "--disable", "dashboard/panel-description"]
    path = fixture("dashboards/counter_rate/gauges.json")
    result = lint(path, *others)
    assert result.exit_code == 0
    assert result.output.startswith(f"{path}:7:31: note: dashboard/counter-rate: 'kafka_consumergroup_lag_sum' is used")
    github = lint(path, "--format", "github", *others)
    assert github.exit_code == 0
    assert github.output.startswith(f"::notice file={path},line=7,col=31,title=dashboard/counter-rate::")


def test_prometheus_option_is_in_the_help():
    result = CliRunner().invoke(main, ["lint", "--help"])
    assert "--prometheus URL" in result.output and "/api/v1/metadata" in result.output
