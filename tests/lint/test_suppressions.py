"""Inline suppressions in rule files (# obsgen lint disable=… / disable-file=…) and lint/suppression."""

from __future__ import annotations

from obsgen.lint import ALL_CHECKS, lint_paths
from tests.lint.helpers import fixture, places

NO_PROMTOOL = [c.id for c in ALL_CHECKS if c.needs_promtool]
SUPPRESSED = "rules/suppression/suppressed.yaml"
PROBLEMS = "rules/suppression/problems.yaml"


def _findings(name, disabled=()):
    report = lint_paths([fixture(name)], disabled=[*NO_PROMTOOL, *disabled])
    assert report.errors == ()
    return report.findings


def test_rule_and_file_suppressions_silence_only_their_checks_and_rules():
    findings = _findings(SUPPRESSED)
    by_check = sorted((f.check, f.line) for f in findings)
    # Watchdog (line 7): both checks named above it silenced; SameLine (19): alerts/for silenced on its line;
    # record/name silenced for the whole file. Unsuppressed (13) keeps both of its findings.
    assert by_check == [("alerts/for", 13), ("alerts/labels", 13)]


def test_without_the_comments_the_same_rules_are_reported(tmp_path):
    source = open(fixture(SUPPRESSED), encoding="utf-8").read()
    stripped = tmp_path / "stripped.yaml"
    stripped.write_text("\n".join(line.split("# obsgen lint")[0].rstrip() for line in source.split("\n")))
    report = lint_paths([str(stripped)], disabled=NO_PROMTOOL)
    checks = sorted((f.check, f.line) for f in report.findings)
    assert ("alerts/for", 7) in checks and ("alerts/labels", 7) in checks and ("alerts/for", 19) in checks
    assert ("record/name", 27) in checks


def test_unknown_id_warns_and_useless_suppressions_are_notes():
    findings = [f for f in _findings(PROBLEMS) if f.check == "lint/suppression"]
    assert places(findings) == [(PROBLEMS, 4, 25), (PROBLEMS, 14, 25), (PROBLEMS, 25, 25)]
    assert [f.severity for f in findings] == ["warning", "note", "note"]
    assert "unknown check id 'alerts/fro'" in findings[0].message
    assert "silences nothing on this rule" in findings[1].message
    assert "no rule starts right below it" in findings[2].message


def test_suppression_of_a_disabled_check_is_not_called_useless():
    findings = _findings(PROBLEMS, disabled=["alerts/labels", "alerts/for"])
    assert [(f.check, f.line) for f in findings] == [("lint/suppression", 4)]


def test_lint_suppression_itself_can_be_disabled():
    assert _findings(PROBLEMS, disabled=["lint/suppression"]) == ()
