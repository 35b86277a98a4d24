"""Label values for synthetic series: the model's selectors must select them (and only as intended)."""

from __future__ import annotations

import pytest

from obsgen.artifacts.ruletests.values import NoMatchingValue, example_for_regex, selector_matches, series_labels
from obsgen.promql import Matcher, Selector

REQUESTS = Selector("http_requests_total", (Matcher("job", "=", "api"), Matcher("handler", "=", "/checkout")))
SLO_ERRORS = REQUESTS.with_matchers(Matcher("code", "=~", "5.."))
ALERT_ERRORS = REQUESTS.with_matchers(Matcher("code", "=~", "[45].."))
TASKS = Selector("celery_tasks_total", (Matcher("state", "=~", "SUCCESS|FAILURE"), Matcher("task", "=", "t")))
FAILED_TASKS = TASKS.with_matchers(Matcher("state", "=", "FAILURE"))


@pytest.mark.parametrize("pattern", ["5..", "[45]..", "SUCCESS|FAILURE", r"10(\.0)?", r"\d{3}", "[^0-9]x", "a+b*",
                                     "(GET|POST)/.*"])
def test_example_for_regex_is_matched_by_the_regex(pattern):
    import re

    example = example_for_regex(pattern)
    assert example is not None and re.fullmatch(pattern, example)


def test_example_for_regex_gives_up_rather_than_guess():
    assert example_for_regex("(?=lookahead)x") is None


def test_matchers_are_anchored_and_treat_a_missing_label_as_empty():
    assert Matcher("code", "=~", "5..").accepts("500")
    assert not Matcher("code", "=~", "5..").accepts("5000")  # anchored, as in PromQL
    assert Matcher("code", "!~", "5..").accepts("")
    assert not selector_matches(SLO_ERRORS, {"__name__": "http_requests_total", "job": "api", "handler": "/checkout"})


def test_error_series_matches_both_error_selectors_and_prefers_a_real_status_code():
    labels = series_labels([REQUESTS, SLO_ERRORS, ALERT_ERRORS])
    assert labels == {"__name__": "http_requests_total", "job": "api", "handler": "/checkout", "code": "500"}


def test_good_series_is_a_request_that_no_error_selector_counts():
    labels = series_labels([REQUESTS], [SLO_ERRORS, ALERT_ERRORS])
    assert labels["code"] == "200"
    assert selector_matches(REQUESTS, labels) and not selector_matches(ALERT_ERRORS, labels)


def test_celery_states_come_from_the_regex_and_the_equality_matcher():
    assert series_labels([TASKS, FAILED_TASKS])["state"] == "FAILURE"
    assert series_labels([TASKS], [FAILED_TASKS])["state"] == "SUCCESS"


def test_an_unknown_label_regex_still_gets_a_matching_value():
    selector = Selector("jobs_total", (Matcher("outcome_kind", "=~", "fail_[a-z]+"),))
    assert series_labels([selector])["outcome_kind"] == "fail_a"


def test_impossible_constraints_are_reported():
    with pytest.raises(NoMatchingValue, match="no label values match"):
        series_labels([REQUESTS], [REQUESTS])
    with pytest.raises(NoMatchingValue, match="must be both"):
        series_labels([REQUESTS, REQUESTS.with_matchers(Matcher("job", "=", "other"))])
