"""Prometheus 3 UTF-8 metric and label names: quoted in PromQL exactly where the legacy grammar ends."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import promql_parser as pp
import pytest

from obsgen.build.load import load_journey, parse_journey
from obsgen.errors import SpecError
from obsgen.promql import Matcher, Selector, series
from tests.conftest import ROOT

UTF8_SPEC = ROOT / "tests" / "spec" / "fixtures" / "otel_utf8.yaml"
PROMTOOL_3 = Path(os.environ.get("OBSGEN_PROMTOOL") or Path.home() / ".cache/obsgen/bin/promtool")
UTF8_PROBE = ROOT / "tests" / "spec" / "fixtures" / "utf8_probe.rules.yaml"


def test_legacy_names_are_written_bare_as_before():
    selector = Selector("http_requests_total", (Matcher("code", "=~", "5.."), Matcher("job", "=", "api")))
    assert selector.promql() == 'http_requests_total{code=~"5..",job="api"}'
    assert Selector("up").promql() == "up"
    assert series("orders_total", {}) == "orders_total{}"


def test_utf8_names_are_quoted_as_prometheus_3_writes_them():
    assert Selector("up", (Matcher("service.name", "=", "x"),)).promql() == 'up{"service.name"="x"}'
    assert Selector("http.server.duration").promql() == '{"http.server.duration"}'
    assert Selector("http.server.duration", (Matcher("job", "=", "x"), Matcher("http.route", "!=", "/"))).promql() == (
        '{"http.server.duration",job="x","http.route"!="/"}')
    assert Selector('we"ird', (Matcher("ü", "=~", "a"),)).promql() == '{"we\\"ird","\\u00fc"=~"a"}'
    assert series("http.server.duration_bucket", {"le": "0.1", "service.name": "a"}) == (
        '{"http.server.duration_bucket",le="0.1","service.name"="a"}')
    assert series("a.b", {}) == '{"a.b"}'
    with pytest.raises(ValueError):
        Selector("")
    with pytest.raises(ValueError):
        Matcher("", "=", "x")


@pytest.mark.parametrize("selector", [
    Selector("http.server.duration", (Matcher("service.name", "=", "checkout"), Matcher("code", "=~", "5.."))),
    Selector("up", (Matcher("service.name", "!~", "a|b"),)),
])
def test_a_promql_parser_reads_back_the_same_selector(selector):
    parsed = pp.parse(selector.promql())
    matchers = {(m.name, m.value) for m in parsed.matchers.matchers}
    assert parsed.name == selector.metric or ("__name__", selector.metric) in matchers
    assert {(m.label, m.value) for m in selector.matchers} <= matchers


def test_spec_opts_in_to_utf8_names():
    journey = load_journey(UTF8_SPEC)
    assert journey.stage("place_order").errors.promql() == (
        '{"http.server.request.duration_seconds_count","service.name"="checkout",'
        '"http.route"="/oteldemo.CheckoutService/PlaceOrder","http.response.status_code"=~"5.."}')
    legacy = UTF8_SPEC.read_text().replace("  nameValidation: utf8\n", "")
    with pytest.raises(SpecError) as caught:
        parse_journey(legacy, "checkout.yaml")
    found = [str(d) for d in caught.value.diagnostics]
    assert found[0] == ("checkout.yaml:22:17: spec.stages[0].requests.metric: 'http.server.request.duration_seconds_count'"
                        " is not a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*); other UTF-8 names need "
                        "spec.nameValidation: utf8 (Prometheus 3)")
    assert found[1] == ("checkout.yaml:25:17: spec.stages[0].errors.match: key 'http.response.status_code' is not a "
                        "Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*); other UTF-8 names need spec.nameValidation: "
                        "utf8 (Prometheus 3)")


def _promtool_3() -> str:
    if not PROMTOOL_3.is_file():
        reason = f"no Prometheus 3 promtool at {PROMTOOL_3} (set OBSGEN_PROMTOOL)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    probe = subprocess.run([str(PROMTOOL_3), "check", "rules", str(UTF8_PROBE)], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"{PROMTOOL_3} does not read UTF-8 names, so it is not a Prometheus 3 promtool: {probe.stderr}")
    return str(PROMTOOL_3)


def _legacy_twin() -> str:
    """The same journey with every dotted name spelt with underscores (what Prometheus 2 would ingest)."""
    text = UTF8_SPEC.read_text().replace("nameValidation: utf8", "nameValidation: legacy")
    for name in ("http.server.request.duration_seconds_count", "service.name", "http.route",
                 "http.response.status_code"):
        text = text.replace(name, name.replace(".", "_"))
    return text


@pytest.mark.integration
def test_promtool_3_reads_every_utf8_name_obsgen_writes(tmp_path):
    """Built with promtool 3 (rules checked, dashboard PromQL parsed), the UTF-8 journey's rules and rule
    tests behave exactly as its legacy-named twin's: the names are read, quoted and matched alike."""
    promtool = _promtool_3()
    env = {**os.environ, "OBSGEN_PROMTOOL": promtool}
    outcomes = []
    for name, text in (("utf8", UTF8_SPEC.read_text()), ("legacy", _legacy_twin())):
        spec = tmp_path / name / "checkout.yaml"
        spec.parent.mkdir()
        spec.write_text(text)
        # --no-test: promtool 3's rule tests are run below, beside the twin's, since the rule-test
        # generator's expectations follow Prometheus 2's rate() (tracked with the Prometheus 3 work).
        built = subprocess.run([sys.executable, "-m", "obsgen", "build", "--no-test", str(spec)],
                               cwd=spec.parent, capture_output=True, text=True, env=env)
        assert built.returncode == 0, built.stderr
        tests = spec.parent / "generated" / "checkout" / "tests" / "checkout.tests.yaml"
        ran = subprocess.run([promtool, "test", "rules", tests.name], cwd=tests.parent, capture_output=True, text=True)
        assert "parse" not in ran.stderr.lower(), ran.stderr
        outcomes.append((ran.returncode, ran.stderr))
    rules = (tmp_path / "utf8" / "generated" / "checkout" / "prometheus" / "recording.rules.yaml").read_text()
    assert '{"http.server.request.duration_seconds_count","service.name"="checkout"' in rules
    assert outcomes[0] == outcomes[1]
