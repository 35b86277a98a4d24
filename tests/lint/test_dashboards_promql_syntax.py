import pytest

from tests.lint.helpers import run_check

pytestmark = pytest.mark.integration  # real promtool

CHECK = "dashboard/promql-syntax"


def test_expressions_with_grafana_variables_parse():
    assert run_check(CHECK, "dashboards/clean.json", "dashboards/counter_rate/good.json") == []


def test_broken_targets_are_reported_and_logql_is_skipped():
    findings = run_check(CHECK, "dashboards/promql_syntax/bad.json")
    assert [(f.json_path, f.line, f.col) for f in findings] == [
        ("panels[0].targets[0].expr", 10, 31),
        ("panels[0].targets[2].expr", 12, 31),
    ]
    assert findings[0].message == (
        "PromQL does not parse at 1:49 (after expanding variables): parse error: unclosed left parenthesis"
    )
    assert findings[1].message.endswith("unexpected end of input inside braces")
