"""The lint config file (obsgen.yaml `lint:` / pyproject.toml [tool.obsgen.lint]) and --fail-on, end to end."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from obsgen.cli import main
from tests.lint.helpers import fixture

NO_PROMTOOL = ["--disable", "promtool/rules", "--disable", "promql/syntax"]


def lint(*args):
    return CliRunner().invoke(main, ["lint", *NO_PROMTOOL, *args], catch_exceptions=False)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A checkout with a rule file and a nested directory the lint is started from."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "rules").mkdir()
    shutil.copy(fixture("rules/alerts_for/bad.yaml"), tmp_path / "rules" / "alerts.yaml")
    (tmp_path / "deep" / "er").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "deep" / "er")
    return tmp_path


@pytest.mark.integration
def test_fail_on_sets_the_exit_code():
    path = fixture("rules/alerts_for/bad.yaml")  # warnings only
    assert lint(path).exit_code == 1
    assert lint(path, "--fail-on", "warning").exit_code == 1
    assert lint(path, "--fail-on", "error").exit_code == 0
    notes_only = [fixture("dashboards/counter_rate/gauges.json"), "--disable", "dashboard/datasource",
                  "--disable", "dashboard/unit", "--disable", "dashboard/panel-description"]
    assert lint(*notes_only).exit_code == 0
    assert lint(*notes_only, "--fail-on", "note").exit_code == 1
    assert lint(path, "--fail-on", "fatal").exit_code == 2


def test_yaml_config_found_walking_up_sets_paths_disable_and_severity(project):
    (project / "obsgen.yaml").write_text(
        "lint:\n  paths: [rules/*.yaml]\n  disable: [alerts/annotations]\n"
        "  severity: {alerts/labels: note}\n  fail-on: warning\n")
    result = lint()
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    shown = "../../rules/alerts.yaml"  # relative to the current directory, as editors want
    assert f"{shown}:4:12: note: alerts/labels: alert 'NoFor' has no 'severity' label" in lines
    assert f"{shown}:4:12: warning: alerts/for: alert 'NoFor' has no 'for:'; it fires on one bad evaluation" in lines
    assert not any("alerts/annotations" in line for line in lines)
    # Re-levelled to note, alerts/labels no longer fails once alerts/for is off too.
    assert lint("--disable", "alerts/for").exit_code == 0


def test_pyproject_config_and_command_line_override(project):
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.obsgen.lint]\npaths = ["rules/*.yaml"]\nfail-on = "error"\n\n'
        '[tool.obsgen.lint.severity]\n"alerts/for" = "error"\n')
    result = lint()
    assert result.exit_code == 1  # alerts/for re-levelled to error, and error fails
    assert "error: alerts/for:" in result.stdout
    assert lint("--disable", "alerts/for").exit_code == 0  # the rest are warnings, below fail-on
    assert lint("--fail-on", "warning", "--disable", "alerts/for").exit_code == 1
    # A FILE on the command line replaces the config's paths.
    assert lint(fixture("rules/clean.yaml"), "--disable", "promql/range").exit_code == 0


def test_explicit_config_and_no_paths_anywhere(project, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("cfg") / "obsgen.yaml"
    elsewhere.write_text("lint:\n  disable: [alerts/for, alerts/labels, alerts/annotations]\n")
    assert lint("--config", str(elsewhere), str(project / "rules" / "alerts.yaml")).exit_code == 0
    result = lint()
    assert result.exit_code == 2 and "no FILE given" in result.stderr


def test_an_obsgen_yaml_without_a_lint_section_is_not_ours(project):
    (project / "obsgen.yaml").write_text("apiVersion: 1\nproviders: []\n")
    assert lint().exit_code == 2  # no paths: the file was not taken for a config


@pytest.mark.parametrize(("text", "expected"), [
    ("lint:\n  disable: [alerts/fro]\n", "obsgen.yaml:2:13: unknown check id 'alerts/fro'"),
    ("lint:\n  severity:\n    alerts/for: loud\n", "obsgen.yaml:3:17: severity of 'alerts/for' must be one of"),
    ("lint:\n  severity:\n    nope/x: note\n", "obsgen.yaml:3:5: unknown check id 'nope/x'"),
    ("lint:\n  fail_on: note\n", "obsgen.yaml:2:3: unknown key 'fail_on'"),
    ("lint:\n  paths: rules\n", "obsgen.yaml:2:10: paths must be a list of strings"),
    ("lint:\n  disable: [a\n", "obsgen.yaml:3:1: invalid YAML"),
])
def test_yaml_config_errors_exit_2_with_position(project, text, expected):
    (project / "obsgen.yaml").write_text(text)
    result = lint()
    assert result.exit_code == 2
    assert result.stderr.startswith(f"../../{expected}"), result.stderr


@pytest.mark.parametrize(("text", "expected"), [
    ('[tool.obsgen.lint]\ndisable = ["alerts/fro"]\n', "pyproject.toml:2:13: unknown check id 'alerts/fro'"),
    ('[tool.obsgen.lint]\nfail-on = "loud"\n', "pyproject.toml:2:12: fail-on must be one of"),
    ('[tool.obsgen.lint]\ndisable = [\n', "pyproject.toml:3:1: invalid TOML"),
])
def test_pyproject_config_errors_exit_2_with_position(project, text, expected):
    (project / "pyproject.toml").write_text(text)
    result = lint()
    assert result.exit_code == 2
    assert result.stderr.startswith(f"../../{expected}"), result.stderr
