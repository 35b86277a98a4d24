"""PromQL analysis: selectors, groupings, failure-only data, and expression identity."""

from __future__ import annotations

import pytest

from obsgen.promql import Matcher, Selector
from obsgen.verify.exprs import UnparsableExpr, fingerprint, groupings, needs_failure, selectors

ERRORS = Selector("http_requests_total", (Matcher("code", "=~", "5.."),))


def failure_only(selector: Selector) -> bool:
    return selector == ERRORS or selector.metric == "ALERTS"


def test_selectors_are_found_in_source_order_without_duplicates():
    expr = 'sum(rate(a{x="1"}[5m])) / sum(rate(b[5m])) + sum(rate(a{x="1"}[1h]))'
    assert selectors(expr) == [Selector("a", (Matcher("x", "=", "1"),)), Selector("b")]


def test_name_matchers_become_the_metric_name():
    assert selectors('{__name__="up", job="api"}') == [Selector("up", (Matcher("job", "=", "api"),))]


def test_grouping_labels_apply_to_directly_aggregated_selectors_only():
    found = groupings("sum by (le) (rate(h_bucket[5m])) + sum by (genre) (sum by (genre, x) (rate(c[5m])))")
    assert [(g.labels, [s.metric for s in g.selectors]) for g in found] == [
        (("le",), ["h_bucket"]),
        (("genre", "x"), ["c"]),
    ]


@pytest.mark.parametrize(("expr", "conditional"), [
    ('sum(rate(http_requests_total{code=~"5.."}[5m]))', True),
    ('sum(rate(http_requests_total{code=~"5.."}[5m])) or vector(0)', False),
    ('(sum(rate(http_requests_total{code=~"5.."}[5m])) or vector(0)) / sum(rate(requests[5m]))', False),
    ('sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(requests[5m]))', True),
    ("absent(requests)", True),
    ('absent(http_requests_total{code=~"5.."})', False),
    ('ALERTS{alertstate="firing"}', True),
    ('requests unless http_requests_total{code=~"5.."}', False),
    ("1 - requests", False),
])
def test_needs_failure(expr, conditional):
    assert needs_failure(expr, failure_only) is conditional


def test_fingerprint_ignores_matcher_order_and_redundant_parentheses():
    ours = '((sum(rate(x{job="api",code=~"5.."}[5m])) or vector(0)))'
    prometheus_view = '(sum(rate(x{code=~"5..",job="api"}[5m])) or vector(0))'
    assert fingerprint(ours) == fingerprint(prometheus_view)
    assert fingerprint('x{job="api"}[5m]') != fingerprint('x{job="api"}[1m]')
    assert fingerprint("a > 1") != fingerprint("a > bool 1")


def test_unparsable_expressions_are_named():
    with pytest.raises(UnparsableExpr, match="cannot read"):
        selectors("sum(")
