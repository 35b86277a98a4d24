"""Stage signals as instrumentation in the wild has them: profiles for common conventions (and the
user's own), histogram units, errors counted by another metric, native histograms."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from obsgen.build.load import load_journey, parse_journey
from obsgen.errors import SpecError
from obsgen.spec.stage_profiles import builtin_profiles
from tests.spec_text import METADATA

HEAD = METADATA


def spec(body: str) -> str:
    return HEAD + textwrap.indent(textwrap.dedent(body), "  ")


def stage_spec(stage: str, extra: str = "") -> str:
    return spec("stages:\n" + textwrap.indent(textwrap.dedent(stage), "  ") + textwrap.dedent(extra))


def problems(text: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        parse_journey(text, "shop.yaml")
    return [str(d) for d in caught.value.diagnostics]


def only_stage(text: str):
    return parse_journey(text, "shop.yaml").stages[0]


# -- built-in profiles, with the names upstream documents ----------------------------------------------

def test_builtin_profiles_are_data_and_include_the_common_conventions():
    assert set(builtin_profiles()) == {"http", "celery", "otel-http", "otel-grpc", "grpc-go", "micrometer-http",
                                       "spanmetrics"}


def test_otel_http_counts_requests_with_the_histograms_own_count():
    stage = only_stage(stage_spec("- {name: checkout, profile: otel-http, match: {http_route: /api/checkout}}"))
    assert stage.requests.promql() == 'http_server_request_duration_seconds_count{http_route="/api/checkout"}'
    assert stage.errors.promql() == ('http_server_request_duration_seconds_count{http_route="/api/checkout",'
                                     'http_response_status_code=~"5.."}')
    assert stage.latency.bucket.promql() == 'http_server_request_duration_seconds_bucket{http_route="/api/checkout"}'
    assert stage.latency.unit == "seconds"


def test_otel_grpc_is_milliseconds_and_server_fault_codes_by_default():
    stage = only_stage(stage_spec("- {name: add, profile: otel-grpc, match: {rpc_method: AddItem}}"))
    assert stage.errors.promql() == ('rpc_server_duration_milliseconds_count{rpc_method="AddItem",'
                                     'rpc_grpc_status_code=~"2|4|12|13|14|15"}')
    assert stage.latency.unit == "milliseconds"
    assert stage.latency.under(0.5).promql() == \
        'rpc_server_duration_milliseconds_bucket{rpc_method="AddItem",le=~"500(\\\\.0)?"}'


def test_a_stage_replaces_the_profiles_error_codes():
    stage = only_stage(stage_spec("- {name: add, profile: otel-grpc, errorCodes: [13, 14]}"))
    assert stage.errors.promql() == 'rpc_server_duration_milliseconds_count{rpc_grpc_status_code=~"13|14"}'


def test_grpc_go_codes_by_name_and_no_code_label_on_the_histogram():
    # Cancelled calls are the client's doing, not a request the server could serve.
    stage = only_stage(stage_spec("- {name: get, profile: grpc-go, match: {grpc_method: Get, grpc_code: {not: Canceled}}}"))
    assert stage.requests.promql() == 'grpc_server_handled_total{grpc_method="Get",grpc_code!="Canceled"}'
    assert 'grpc_code=~"Unknown|DeadlineExceeded|Unimplemented|Internal|Unavailable|DataLoss"' in stage.errors.promql()
    assert stage.latency.count.promql() == 'grpc_server_handling_seconds_count{grpc_method="Get"}'


def test_a_stage_match_that_excludes_every_error_is_refused():
    found = problems(stage_spec("- {name: get, profile: grpc-go, match: {grpc_method: Get, grpc_code: OK}}"))
    assert found == ['shop.yaml:10:74: the requests match grpc_code="OK" but the errors grpc_code=~"Unknown|'
                     'DeadlineExceeded|Unimplemented|Internal|Unavailable|DataLoss": no request can be an error, so '
                     "the error ratio would always be 0; drop grpc_code from the stage's match (or match failures on "
                     "another label)"]


def test_micrometer_errors_are_server_error_outcomes():
    stage = only_stage(stage_spec("- {name: visits, profile: micrometer-http, match: {uri: /owners}}"))
    assert stage.requests.promql() == 'http_server_requests_seconds_count{uri="/owners"}'
    assert stage.errors.promql() == 'http_server_requests_seconds_count{uri="/owners",outcome="SERVER_ERROR"}'


def test_spanmetrics_counts_server_spans_and_its_histogram_is_milliseconds():
    stage = only_stage(stage_spec("- {name: cart, profile: spanmetrics, match: {service_name: cart}}"))
    assert stage.requests.promql() == 'traces_span_metrics_calls_total{span_kind="SPAN_KIND_SERVER",service_name="cart"}'
    assert stage.errors.promql().endswith('status_code="STATUS_CODE_ERROR"}')
    assert stage.latency.count.promql() == ('traces_span_metrics_duration_milliseconds_count'
                                            '{span_kind="SPAN_KIND_SERVER",service_name="cart"}')
    assert stage.latency.unit == "milliseconds"


def test_error_codes_need_a_profile_that_has_them():
    found = problems(stage_spec("- {name: a, profile: http, errorCodes: [500]}"))
    assert found == ["shop.yaml:10:44: stage 'a': errorCodes replaces a profile's error codes, but its profile has "
                     "none; use errors.match"]


# -- the user's own profiles -------------------------------------------------------------------------------

USER_PROFILE = """\
profiles:
  quarkus:
    kind: http
    requests: {metric: http_server_requests_seconds_count}
    errors: {match: {status: {regex: "5.."}}}
    latency: {histogram: http_server_requests_seconds}
"""


def test_inline_profile():
    text = spec(USER_PROFILE + "stages:\n  - {name: a, profile: quarkus, match: {uri: /x}}\n")
    stage = only_stage(text)
    assert stage.errors.promql() == 'http_server_requests_seconds_count{uri="/x",status=~"5.."}'


def test_unknown_profile_lists_every_known_one_including_the_users():
    text = spec(USER_PROFILE + "stages:\n  - {name: a, profile: quarkuss}\n")
    assert problems(text) == [
        "shop.yaml:16:26: unknown profile 'quarkuss'; profiles are: celery, grpc-go, http, micrometer-http, "
        "otel-grpc, otel-http, quarkus, spanmetrics"]


def test_a_profile_name_is_defined_once():
    text = spec(USER_PROFILE.replace("quarkus:", "http:") + "stages:\n  - {name: a, profile: http}\n")
    assert problems(text) == ["shop.yaml:11:7: profile 'http' is already defined (built in)"]


def test_profile_files_are_relative_to_the_spec(tmp_path: Path):
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "team.yaml").write_text(
        "apiVersion: obsgen/v1\nkind: Profiles\n" + USER_PROFILE)
    path = tmp_path / "shop.yaml"
    path.write_text(spec("profileFiles: [profiles/team.yaml]\nstages:\n  - {name: a, profile: quarkus}\n"))
    journey = load_journey(path)
    assert journey.stages[0].requests.metric == "http_server_requests_seconds_count"


def test_problems_in_a_profile_file_point_into_that_file(tmp_path: Path):
    (tmp_path / "team.yaml").write_text("apiVersion: obsgen/v1\nkind: Profiles\nprofiles:\n  x:\n    kind: web\n"
                                        "    requests: {metric: a_total}\n")
    path = tmp_path / "shop.yaml"
    path.write_text(spec("profileFiles: [team.yaml, missing.yaml]\nstages:\n  - {name: a, profile: x}\n"))
    with pytest.raises(SpecError) as caught:
        load_journey(path, source_name="shop.yaml")
    found = [str(d) for d in caught.value.diagnostics]
    assert any(f.startswith("team.yaml:5:11: profiles.x.kind:") for f in found), found
    assert any(f.startswith("shop.yaml:9:29: cannot read profile file missing.yaml") for f in found), found



def test_a_profile_file_name_with_a_line_break_is_refused_at_its_position(tmp_path: Path):
    # Found by the property tests: the name reached a one-line "cannot read profile file" message whole.
    path = tmp_path / "shop.yaml"
    path.write_text(spec('profileFiles: ["team\\n.yaml"]\nstages:\n  - {name: a, profile: http}\n'))
    with pytest.raises(SpecError) as caught:
        load_journey(path, source_name="shop.yaml")
    found = [str(d) for d in caught.value.diagnostics]
    assert [f.split(": ")[0] for f in found] == ["shop.yaml:9:18"], found
    assert all("\n" not in f for f in found), found

# -- units ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("histogram, unit", [
    ("rpc_server_duration_milliseconds", "milliseconds"),
    ("job_runtime_ms", "milliseconds"),
    ("http_request_duration_seconds", "seconds"),
    ("request_latency", "seconds"),
])
def test_unit_is_inferred_from_the_name(histogram: str, unit: str):
    stage = only_stage(stage_spec(f"""\
        - name: a
          kind: http
          requests: {{metric: a_total}}
          errors: {{match: {{code: "500"}}}}
          latency: {{histogram: {histogram}}}
        """))
    assert stage.latency.unit == unit


def test_declared_unit_wins_and_buckets_are_checked_in_it():
    text = stage_spec("""\
        - name: a
          profile: http
          latency: {histogram: api_latency, unit: milliseconds, buckets: [100, 250, 500, 1000]}
        """, "slos:\n  - {name: fast, type: latency, stages: [a], threshold: 300ms, objective: 95}\n")
    assert problems(text) == [
        "shop.yaml:14:59: threshold 300ms (300 milliseconds) is not a bucket bound of the histogram (100, 250, 500, 1000, "
        "in milliseconds); the SLI could not be computed exactly"]
    journey = parse_journey(text.replace("300ms", "500ms"), "shop.yaml")
    assert 'le=~"500(\\\\.0)?"' in journey.stages[0].latency.under(0.5).promql()


def test_a_zero_latency_threshold_is_a_positioned_error():
    text = stage_spec("""\
        - name: a
          profile: http
          alerts: {latency: {threshold: 0ms}}
        """, "slos:\n  - {name: fast, type: latency, stages: [a], threshold: 0s, objective: 95}\n")
    assert problems(text) == [
        "shop.yaml:12:37: latency threshold 0ms is not above 0: no event is faster than that, so the objective "
        "could never be met",
        "shop.yaml:14:59: latency threshold 0s is not above 0: no event is faster than that, so the objective "
        "could never be met"]


def test_native_histogram_option():
    stage = only_stage(stage_spec("- {name: a, profile: http, latency: {native: true}}"))
    assert stage.latency.native
    assert stage.latency.count.promql() == "http_request_duration_seconds"


# -- errors counted by another metric ----------------------------------------------------------------------

LOGIN = """\
- name: login
  profile: http
  match: {job: auth, handler: /login}
  errors: {metric: auth_events_total, match: {event: login_failed}}
  alerts:
    errorRate:
      threshold: 0.2
      errors: {metric: auth_events_total, match: {event: {regex: "login_.*"}}}
"""


def test_errors_in_another_metric_do_not_inherit_the_stage_matchers():
    stage = only_stage(stage_spec(LOGIN))
    assert stage.requests.promql() == 'http_requests_total{job="auth",handler="/login"}'
    assert stage.errors.promql() == 'auth_events_total{event="login_failed"}'
    assert stage.error_rate_alert.errors.promql() == 'auth_events_total{event=~"login_.*"}'


def test_errors_in_another_metric_may_opt_in_to_the_stage_matchers():
    text = stage_spec(LOGIN.replace("match: {event: login_failed}", "match: {event: login_failed}, withStageMatch: true"))
    assert only_stage(text).errors.promql() == 'auth_events_total{job="auth",handler="/login",event="login_failed"}'


def test_errors_on_the_requests_metric_still_add_to_its_matchers():
    stage = only_stage(stage_spec("- {name: a, profile: http, match: {handler: /a}, errors: {match: {code: {regex: '5..|429'}}}}"))
    assert stage.errors.promql() == 'http_requests_total{handler="/a",code=~"5..|429"}'


def test_a_latency_matcher_replaces_the_stages_matcher_on_the_same_label():
    stage = only_stage(stage_spec("- {name: a, profile: http, match: {handler: /a, job: api}, "
                                  "latency: {match: {handler: /a/slow}}}"))
    assert stage.latency.count.promql() == 'http_request_duration_seconds_count{job="api",handler="/a/slow"}'
