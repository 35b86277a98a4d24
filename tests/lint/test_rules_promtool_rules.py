import pytest

from obsgen.artifacts.ruletests.generation import of_version
from obsgen.tools import promtool
from tests.lint.helpers import places, run_check

pytestmark = pytest.mark.integration  # real promtool

CHECK = "promtool/rules"


def test_files_promtool_accepts_pass():
    assert run_check(CHECK, "rules/promtool_rules/good.yaml", "rules/clean.yaml") == []


def test_promtool_errors_with_and_without_positions():
    findings = run_check(CHECK, "rules/promtool_rules/bad.yaml")
    expected = [
        ("rules/promtool_rules/bad.yaml", 4, 12),  # no position from promtool: located via group/rule
        ("rules/promtool_rules/bad.yaml", 8, 13),
        ("rules/promtool_rules/bad.yaml", 11, 3),  # 3.x gives none: located as the group's second use
    ]
    if of_version(promtool.version()) == 2:  # 3.x accepts UTF-8 metric names (rules/record-name still flags it)
        expected.append(("rules/promtool_rules/bad.yaml", 13, 13))  # rule 1 of the *second* group "g"
    assert places(findings) == expected
    assert "template" in findings[0].message
    assert "invalid field 'for' in recording rule" in findings[1].message
    assert 'groupname: "g" is repeated' in findings[2].message
    if len(findings) > 3:
        assert "invalid recording rule name" in findings[3].message


def test_unknown_fields_give_one_finding_per_line():
    findings = run_check(CHECK, "rules/promtool_rules/bad_fields.yaml")
    assert places(findings) == [
        ("rules/promtool_rules/bad_fields.yaml", 5, None),
        ("rules/promtool_rules/bad_fields.yaml", 6, None),
    ]
    assert "field exprr not found" in findings[0].message
