"""Specs that say something no alert or SLI can mean are refused at the place that says it, with
why and what to write instead (obsgen/spec/signal_checks.py); their meaningful neighbours still build."""

from __future__ import annotations

from obsgen.build.load import parse_journey
from tests.spec.test_signals import problems, stage_spec

HTTP_STAGE = "- name: checkout\n  profile: http\n  match: {job: api, handler: /checkout}\n"


def test_a_latency_alert_at_the_last_declared_bucket_can_never_fire():
    found = problems(stage_spec(HTTP_STAGE + "  latency: {buckets: [0.1, 0.5, 1]}\n  alerts: {latency: {threshold: 1s}}\n"))
    assert found == ["shop.yaml:14:37: latency threshold 1s is not below the histogram's last finite bucket (1s, from "
                     "its declared latency.buckets): histogram_quantile never returns more than that bound, so this "
                     "alert could never fire; lower the threshold"]


def test_a_latency_alert_below_the_last_bucket_builds():
    parse_journey(stage_spec(HTTP_STAGE + "  latency: {buckets: [0.1, 0.5, 1]}\n  alerts: {latency: {threshold: 500ms}}\n"),
                  "shop.yaml")


def test_a_native_histogram_has_no_last_bucket():
    parse_journey(stage_spec(HTTP_STAGE + "  latency: {native: true, histogram: http_request_duration_seconds}\n"
                                          "  alerts: {latency: {threshold: 30s}}\n"), "shop.yaml")


def test_milliseconds_bounds_are_shown_in_the_histograms_unit():
    found = problems(stage_spec("- name: cart\n  profile: spanmetrics\n  match: {service_name: cart}\n"
                                "  latency: {buckets: [100, 250]}\n  alerts: {latency: {threshold: 250ms}}\n"))
    assert len(found) == 1 and "last finite bucket (250 milliseconds, from its declared" in found[0]


def test_an_error_rate_alert_of_its_own_errors_identical_to_the_requests_is_refused_there():
    found = problems(stage_spec(HTTP_STAGE + "  alerts: {errorRate: {threshold: 0.05, errors: {}}}\n"))
    assert len(found) == 1 and found[0].startswith("shop.yaml:13:53: errors select exactly the requests")


def test_errors_that_narrow_the_requests_build():
    parse_journey(stage_spec(HTTP_STAGE + "  errors: {match: {code: {regex: '5..'}}}\n"), "shop.yaml")


def test_a_journey_time_bucket_listed_twice_is_refused():
    found = problems(stage_spec(HTTP_STAGE, "journeyTime: {histogram: journey_seconds, buckets: [1, 5, 5]}\n"))
    assert len(found) == 1 and found[0].startswith("shop.yaml:13:61: bucket bound 5 is listed twice (also item 2)")


def test_a_threshold_beyond_the_declared_buckets_gets_one_problem_not_two():
    found = problems(stage_spec(HTTP_STAGE + "  latency: {buckets: [0.1, 0.5, 1]}\n  alerts: {latency: {threshold: 30s}}\n"))
    assert len(found) == 1 and "not below the histogram's last finite bucket (1s" in found[0]
