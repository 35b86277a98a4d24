"""Every class of bad input gives file:line:column diagnostics, all at once."""

from __future__ import annotations

import json

import pytest

from obsgen.build.load import parse_journey
from tests.spec_text import SHOP, problems

MINIMAL = SHOP


def test_minimal_spec_loads():
    journey = parse_journey(MINIMAL, "shop.yaml")
    assert [s.name for s in journey.stages] == ["checkout"]
    assert journey.stage("checkout").requests.promql() == 'http_requests_total{handler="/checkout"}'


def test_yaml_syntax_error_has_position():
    found = problems(MINIMAL + "  bad: [unclosed\n")
    assert len(found) == 1
    assert found[0].startswith("shop.yaml:14:")
    assert "YAML syntax error" in found[0]


def test_unknown_key_suggests_the_close_one():
    found = problems(MINIMAL.replace("      profile: http", "      profile: http\n      matchh: {}"))
    assert found == ["shop.yaml:12:7: unknown key 'matchh' in spec.stages[0]; did you mean 'match'?"]


def test_wrong_type_names_expected_type():
    found = problems(MINIMAL.replace("  stages:\n", "  scrapeInterval: 15\n  stages:\n"))
    assert found == ["shop.yaml:9:19: spec.scrapeInterval: expected a string, got a number"]


def test_missing_required_key():
    found = problems(MINIMAL.replace("  team: web\n", ""))
    assert found == ["shop.yaml:3:1: metadata: missing required key 'team'"]


def test_every_problem_is_reported_at_once():
    text = MINIMAL.replace("kind: Journey", "kind: Jorney").replace("name: checkout", "name: Checkout!")
    found = problems(text)
    assert len(found) == 2
    assert found[0].startswith("shop.yaml:2:7: kind: 'Jorney' is not one of 'Journey'; did you mean 'Journey'?")
    assert found[1].startswith("shop.yaml:10:13: spec.stages[0].name: 'Checkout!' is not a lower-case name")


def test_duplicate_yaml_key():
    found = problems(MINIMAL.replace("  team: web\n", "  team: web\n  team: ops\n"))
    assert found == ["shop.yaml:7:3: duplicate key 'team' (first defined at line 6)"]


def test_duplicate_stage_names():
    text = MINIMAL + "    - name: checkout\n      profile: http\n"
    assert problems(text) == ["shop.yaml:13:13: duplicate stages name 'checkout' (first used at spec.stages[0])"]


def test_reference_to_unknown_stage():
    text = MINIMAL + """  slos:
    - name: ok
      type: availability
      stages: [checkout, payment]
      objective: 99.9
"""
    assert problems(text) == ["shop.yaml:16:26: unknown stage 'payment'; stages are: checkout"]


def test_dependency_cycle_names_the_path():
    text = MINIMAL + """  dependencies:
    - name: a
      kind: service
      health: {profile: scrape, match: {job: a}}
      stages: [checkout]
      dependsOn: [b]
    - name: b
      kind: service
      health: {profile: scrape, match: {job: b}}
      dependsOn: [a]
"""
    assert problems(text) == ["shop.yaml:18:18: dependency cycle: a -> b -> a"]


def test_dependency_without_health_signal():
    text = MINIMAL + """  dependencies:
    - name: db
      kind: postgresql
      health: {}
      stages: [checkout]
"""
    assert problems(text) == ["shop.yaml:16:15: dependency 'db' has no health signal: give health.profile, health.metric or health.heartbeat"]


def test_latency_threshold_must_be_a_bucket_bound():
    text = MINIMAL + """      latency: {buckets: [0.1, 0.5, 1]}
  slos:
    - name: fast
      type: latency
      stages: [checkout]
      threshold: 300ms
      objective: 99
"""
    found = problems(text)
    assert len(found) == 1 and found[0].startswith("shop.yaml:18:18: threshold 300ms (0.3s) is not a bucket bound")


@pytest.mark.parametrize("field, value", [
    ("name", 'x"} or vector(1) #'),
    ("team", "web\nteam: ops"),
])
def test_injection_attempts_in_names_are_rejected(field, value):
    original = "shop" if field == "name" else "web"
    text = MINIMAL.replace(f"  {field}: {original}\n", f"  {field}: {json.dumps(value)}\n")
    found = problems(text)
    assert any(f"metadata.{field}" in line and "is not a lower-case name" in line for line in found)


def test_label_values_with_quotes_are_escaped_not_injected():
    text = MINIMAL.replace("match: {handler: /checkout}", """match: {handler: '/x"} or vector(1) or up{a="'}""")
    journey = parse_journey(text, "shop.yaml")
    rendered = journey.stage("checkout").requests.promql()
    assert rendered == 'http_requests_total{handler="/x\\"} or vector(1) or up{a=\\""}'


def test_label_names_are_validated():
    found = problems(MINIMAL.replace("match: {handler: /checkout}", "match: {'handler=\"x\",a': /checkout}"))
    assert found == ["shop.yaml:12:15: spec.stages[0].match: key 'handler=\"x\",a' is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*); other UTF-8 names need spec.nameValidation: utf8 (Prometheus 3)"]


def test_braces_in_free_text_are_rejected_because_alert_templates_would_run_them():
    found = problems(MINIMAL.replace("  name: shop\n", "  name: shop\n  title: 'Shop {{ $value }}'\n"))
    assert found == ["shop.yaml:5:10: metadata.title: 'Shop {{ $value }}' is not text without '{', '}', control characters or bidirectional overrides (it is used inside alert templates)"]


def test_burn_rate_that_could_never_fire_is_an_error():
    text = MINIMAL + """  slos:
    - name: loose
      type: availability
      stages: [checkout]
      objective: 90
"""
    found = problems(text)
    assert len(found) == 1 and found[0].startswith(
        "shop.yaml:17:18: a 14.4x burn rate with an error budget of 10% needs more than 100% errors")


def test_long_journey_names_get_distinct_dashboard_uids_within_40_chars():
    from obsgen.spec.resolve import dashboard_uid

    a, b = dashboard_uid("a" * 50 + "x"), dashboard_uid("a" * 50 + "y")
    assert a != b and len(a) <= 40 and len(b) <= 40
    assert dashboard_uid("purchase") == "obsgen-purchase"


@pytest.mark.parametrize("window", ["30m1h", "1h1h", "5ms1s"])
def test_a_duration_prometheus_refuses_is_a_positioned_problem(window):
    """Units largest first, each once, as Prometheus parses them; `30m1h` once passed as 1h30m."""
    text = SHOP.replace("      match: {handler: /checkout}\n",
                        f"      match: {{handler: /checkout}}\n      alerts: {{errorRate: {{threshold: 0.05, window: {window}}}}}\n")
    (problem,) = problems(text)
    assert problem.startswith("shop.yaml:13:") and f"'{window}' is not a Prometheus duration" in problem, problem
