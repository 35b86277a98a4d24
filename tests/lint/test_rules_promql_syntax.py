import pytest

from tests.lint.helpers import places, run_check

pytestmark = pytest.mark.integration  # real promtool

CHECK = "promql/syntax"


def test_valid_expressions_pass():
    assert run_check(CHECK, "rules/promql_syntax/good.yaml", "rules/clean.yaml") == []


def test_parse_errors_are_mapped_into_the_expression():
    findings = run_check(CHECK, "rules/promql_syntax/bad.yaml")
    # Line 5: promtool points past the end of the one-line expression; line 9: inside the | block, at "[".
    assert places(findings) == [("rules/promql_syntax/bad.yaml", 5, 53), ("rules/promql_syntax/bad.yaml", 9, 45)]
    assert findings[0].message == "record 'job:http_requests:rate5m': parse error: unclosed left parenthesis"
    assert findings[1].message == "alert 'Broken': parse error: unexpected character inside braces: '['"
    assert all(f.severity == "error" for f in findings)
