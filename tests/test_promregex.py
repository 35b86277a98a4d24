"""Matcher regexes with Prometheus' semantics: RE2 syntax, anchored, '.' matching newlines in 3.x."""

from __future__ import annotations

import pytest

from obsgen.promql import Matcher, regex as promregex, string_literal
from obsgen.tools import promtool

# Valid for Prometheus (Go regexp, RE2 syntax); Python's re refuses or misreads each.
RE2_ONLY = [r"[[:alpha:]]+", r"\Qa.b\E", r"[[:digit:]]{3}", r"\pL+", r"(?i)get|post"]
# Refused by Prometheus; the first two Python's re would accept.
INVALID = [r"a(?=b)", r"(a)\1", r"(", r"[z-a]", r"a{2,1}", r"\C", r"a)|(b"]


@pytest.mark.parametrize("pattern", RE2_ONLY)
def test_re2_syntax_is_accepted(pattern):
    promregex.check(pattern)


@pytest.mark.parametrize("pattern", INVALID)
def test_what_prometheus_refuses_is_refused(pattern):
    with pytest.raises(promregex.RegexError):
        promregex.check(pattern)


def test_matcher_accepts_with_prometheus_semantics():
    assert Matcher("l", "=~", r"[[:alpha:]]+").accepts("abc")
    assert not Matcher("l", "=~", r"[[:alpha:]]+").accepts("abc1")
    assert Matcher("l", "=~", r"\Qa.b\E").accepts("a.b")
    assert not Matcher("l", "=~", r"\Qa.b\E").accepts("axb")
    assert not Matcher("code", "=~", "5..").accepts("5000")  # anchored at both ends
    assert Matcher("code", "=~", "4..|5..").accepts("503")  # the anchor wraps the whole alternation
    assert not Matcher("code", "!~", "5..").accepts("503")
    assert Matcher("code", "!~", "5..").accepts("")  # a missing label is the empty string
    assert Matcher("task", "=~", "a.b").accepts("a\nb")  # Prometheus 3: '.' matches a newline
    with pytest.raises(promregex.RegexError, match="invalid perl operator"):
        Matcher("l", "=~", "a(?=b)").accepts("ab")


def test_prometheus_2_and_3_differ_only_in_dot_and_newline():
    assert promregex.fullmatch("a.b", "a\nb", promregex.PROMETHEUS_3)
    assert not promregex.fullmatch("a.b", "a\nb", promregex.PROMETHEUS_2)
    assert promregex.fullmatch("a.b", "axb", promregex.PROMETHEUS_2)


@pytest.mark.integration
def test_promtool_agrees_on_every_pattern():
    """The real Prometheus parser (promtool) accepts exactly the patterns promregex accepts."""
    exprs = [f"up{{job=~{string_literal(p)}}}" for p in RE2_ONLY + INVALID]
    results = promtool.parse_exprs(exprs)
    accepted_by_promtool = [p for p, error in zip(RE2_ONLY + INVALID, results, strict=True) if error is None]
    assert accepted_by_promtool == RE2_ONLY
