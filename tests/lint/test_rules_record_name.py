import pytest

from obsgen.lint.rules.record_name import naming_problem
from tests.lint.helpers import places, run_check

CHECK = "record/name"


def test_level_metric_operations_names_pass():
    assert run_check(CHECK, "rules/record_name/good.yaml", "rules/clean.yaml") == []


def test_bad_names_are_reported_at_the_name():
    findings = run_check(CHECK, "rules/record_name/bad.yaml")
    assert places(findings) == [("rules/record_name/bad.yaml", line, 13) for line in (4, 6, 8, 10)]
    assert "name it job:http_requests:rate5m" in findings[3].message


@pytest.mark.parametrize(
    "name, ok",
    [
        ("job:http_requests:rate5m", True),
        ("path:request_failures_per_requests:ratio_rate5m", True),
        ("a:b:c:d", False),
        ("job:http_requests:", False),
        ("job:http-requests:rate5m", False),
    ],
)
def test_naming_problem(name, ok):
    assert (naming_problem(name) is None) is ok
