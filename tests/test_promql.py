from __future__ import annotations

import pytest

from obsgen.promql import Matcher, Selector, format_duration, format_number, le_matcher, parse_duration


@pytest.mark.parametrize("text, seconds", [("5m", 300), ("1h30m", 5400), ("30d", 2592000), ("250ms", 0.25)])
def test_durations_round_trip(text, seconds):
    assert parse_duration(text) == seconds
    assert format_duration(seconds) == text


@pytest.mark.parametrize("bad", ["", "5", "5 m", "m5", "1h 30m", "5M", "30m1h", "1h1h", "5ms1s"])
def test_bad_durations_are_rejected(bad):
    """As Prometheus refuses them: units largest first, each once (30m1h is no 1h30m)."""
    with pytest.raises(ValueError):
        parse_duration(bad)


def test_numbers_print_without_float_noise():
    assert format_number(1 - 0.999) == "0.001"
    assert format_number(14.4) == "14.4"
    assert format_number(3600.0) == "3600"


def test_selector_escapes_values_and_rejects_bad_names():
    sel = Selector("up", (Matcher("job", "=", 'a"b\\c\n'),))
    assert sel.promql() == 'up{job="a\\"b\\\\c\\n"}'
    # Names outside the legacy grammar are quoted (Prometheus 3 UTF-8 names), never spliced in.
    assert Selector("up or vector(1)").promql() == '{"up or vector(1)"}'
    assert Matcher('job="x"', "=", "y").promql() == '"job=\\"x\\""="y"'
    with pytest.raises(ValueError):
        Selector("")
    with pytest.raises(ValueError):
        Matcher("job", "==", "y")


def test_with_matchers_overrides_the_same_label():
    sel = Selector("m", (Matcher("state", "=~", "A|B"), Matcher("task", "=", "t")))
    assert sel.with_matchers(Matcher("state", "=", "B")).promql() == 'm{task="t",state="B"}'


def test_le_matcher_spellings():
    assert le_matcher(0.5).promql() == 'le="0.5"'
    assert le_matcher(10).promql() == 'le=~"10(\\\\.0)?"'


@pytest.mark.integration
@pytest.mark.parametrize("value", ["a\U0001F600b", "\U0010FFFF", 'é"\\\n😀'])
def test_label_values_beyond_the_bmp_are_literals_promtool_and_the_lint_parser_read_back(value):
    """JSON escapes them as UTF-16 surrogate pairs, which Go's unquoting (so Prometheus) rejects."""
    import promql_parser

    from obsgen.promql import string_literal
    from obsgen.tools import promtool

    literal = string_literal(value)
    assert literal.isascii()
    expr = f"up{{job={literal}}}"
    assert promtool.parse_expr(expr) is None
    assert promql_parser.parse(expr).matchers.matchers[0].value == value
