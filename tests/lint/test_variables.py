"""Grafana variable expansion: what the dashboard PromQL checks parse."""

import pytest

from obsgen.lint.dashboards.variables import describe_duration, expand, sentinel
from obsgen.promql import analysis


@pytest.mark.parametrize(
    "raw, values, expected",
    [
        ('rate(x_total{job="$job"}[$__rate_interval])', {}, 'rate(x_total{job="job"}[7919ms])'),
        ("topk($n, x) / $__range_s", {"n": "5"}, "topk(5, x) / 3600"),
        ("sum by ($groupby) (x)", {"groupby": "All"}, "sum by (groupby) (x)"),
        ("rate(x_total[$window])", {"window": "10m"}, "rate(x_total[10m])"),
        ("rate(x_total[${window}])", {"window": "auto"}, "rate(x_total[5m])"),
        ('[[metric]]{a=~"${a:regex}"}', {}, 'metric{a=~"a"}'),
    ],
)
def test_expand(raw, values, expected):
    assert expand(raw, values) == expected
    assert analysis.parse(expected) is not None


def test_sentinels_survive_parsing_and_read_back_as_the_macro():
    ast = analysis.parse(expand("rate(x_total[$__rate_interval])"))
    (_, matrix), = analysis.rate_calls(ast)
    assert matrix.range == sentinel("__rate_interval")
    assert describe_duration(matrix.range) == "$__rate_interval"
