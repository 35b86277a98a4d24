"""SARIF (validated against the official SARIF 2.1.0 schema) and checkstyle XML output."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from obsgen.cli import main
from obsgen.lint import ALL_CHECKS, lint_paths, render
from obsgen.lint.finding import Finding
from tests.lint.helpers import fixture

SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
# promtool-backed checks off: these tests are about rendering, and must not need promtool.
NO_PROMTOOL = [c.id for c in ALL_CHECKS if c.needs_promtool]
AWKWARD = 'alert <A & "B"> \'c\' ]]> %0A\n, :: end'


def _findings(*names):
    return lint_paths([fixture(n) for n in names], disabled=NO_PROMTOOL).all_findings()


def _validate_sarif(text: str) -> dict:
    log = json.loads(text)
    jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER).validate(log)
    return log


def test_sarif_is_valid_against_the_sarif_2_1_0_schema():
    findings = _findings("rules/alerts_for/bad.yaml", "dashboards/panel_id/bad.json")
    log = _validate_sarif(render(findings, "sarif"))
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert len(run["results"]) == len(findings) > 0


def test_sarif_lists_every_check_with_description_and_docs_anchor():
    (run,) = _validate_sarif(render([], "sarif"))["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [c.id for c in ALL_CHECKS] + ["parse"]
    alerts_for = next(r for r in rules if r["id"] == "alerts/for")
    assert alerts_for["shortDescription"]["text"].startswith("alerts/for: an alert without")
    assert alerts_for["help"]["text"].endswith("See docs/lint.md#alertsfor in obsgen's repository.")
    assert run["results"] == []


def test_sarif_result_has_rule_level_and_location_relative_to_cwd(monkeypatch):
    monkeypatch.chdir(Path(fixture("rules")))
    findings = lint_paths(["alerts_for/bad.yaml"], disabled=NO_PROMTOOL + ["alerts/annotations", "alerts/labels"])
    (run,) = _validate_sarif(render(findings.all_findings(), "sarif"))["runs"]
    first = run["results"][0]
    assert first["ruleId"] == "alerts/for"
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == "alerts/for"
    assert first["level"] == "warning"
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "alerts_for/bad.yaml", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 4, "startColumn": 12}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == Path.cwd().as_uri() + "/"


@pytest.mark.parametrize(("severity", "level"), [("error", "error"), ("warning", "warning"), ("note", "note")])
def test_sarif_levels_follow_severity(severity, level):
    finding = Finding("/elsewhere/x.yaml", None, None, "alerts/for", severity, AWKWARD)
    (run,) = _validate_sarif(render([finding], "sarif"))["runs"]
    (result,) = run["results"]
    assert result["level"] == level
    assert result["message"]["text"] == AWKWARD
    # Outside the current directory: an absolute file URI, and no region when the line is unknown.
    assert result["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "file:///elsewhere/x.yaml"}}


def test_checkstyle_parses_and_carries_every_finding():
    findings = _findings("rules/alerts_for/bad.yaml", "dashboards/panel_id/bad.json")
    root = ET.fromstring(render(findings, "checkstyle"))
    assert root.tag == "checkstyle" and root.get("version")
    errors = [(f.get("name"), e.get("line"), e.get("column"), e.get("severity"), e.get("source"))
              for f in root.iter("file") for e in f.iter("error")]
    assert errors == [(f.path, str(f.line), str(f.col), f.severity if f.severity != "note" else "info", f.check)
                      for f in findings]
    assert sorted({f.get("name") for f in root.iter("file")}) == sorted({f.path for f in findings})


def test_checkstyle_escapes_what_it_carries():
    finding = Finding('odd <"&">.yaml', 3, None, "alerts/for", "warning", AWKWARD, 'panels[0].title')
    root = ET.fromstring(render([finding], "checkstyle"))
    (file_element,) = root.iter("file")
    (error,) = file_element.iter("error")
    assert file_element.get("name") == 'odd <"&">.yaml'
    assert error.get("message") == f"{AWKWARD} (panels[0].title)"
    assert (error.get("line"), error.get("column"), error.get("source")) == ("3", None, "alerts/for")


@pytest.mark.parametrize("output_format", ["sarif", "checkstyle"])
def test_cli_writes_the_format_and_keeps_the_exit_code(output_format):
    disabled = [arg for check_id in NO_PROMTOOL for arg in ("--disable", check_id)]
    result = CliRunner().invoke(main, ["lint", "--format", output_format, *disabled,
                                       fixture("rules/alerts_for/bad.yaml")])
    assert result.exit_code == 1
    if output_format == "sarif":
        assert _validate_sarif(result.stdout)["runs"][0]["results"]
    else:
        assert ET.fromstring(result.stdout).find("file/error").get("source") == "alerts/annotations"
