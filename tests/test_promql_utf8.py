"""Prometheus 3 UTF-8 metric and label names: quoted in PromQL exactly where the legacy grammar ends."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import promql_parser as pp
import pytest

from obsgen.errors import SpecError
from obsgen.promql import Matcher, Selector, series
from obsgen.spec.loader import load_journey, parse_journey
from tests.conftest import ROOT

UTF8_SPEC = ROOT / "tests" / "spec" / "fixtures" / "otel_utf8.yaml"
PROMTOOL_3 = Path(os.environ.get("OBSGEN_PROMTOOL") or Path.home() / ".cache/obsgen/bin/promtool")


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
    version = subprocess.run([str(PROMTOOL_3), "--version"], capture_output=True, text=True).stdout
    if "version 3." not in version:
        pytest.skip(f"{PROMTOOL_3} is not promtool 3: {version.splitlines()[:1]}")
    return str(PROMTOOL_3)


@pytest.mark.integration
def test_promtool_3_builds_and_tests_a_utf8_journey(tmp_path):
    """The whole build with promtool 3: rules parse, dashboards lint, generated rule tests pass."""
    promtool = _promtool_3()
    spec = tmp_path / "checkout.yaml"
    spec.write_text(UTF8_SPEC.read_text())
    result = subprocess.run([sys.executable, "-m", "obsgen", "build", str(spec), "--out", str(tmp_path / "out")],
                            cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "OBSGEN_PROMTOOL": promtool})
    assert result.returncode == 0, result.stderr
    rules = (tmp_path / "out" / "checkout" / "prometheus" / "recording.rules.yaml").read_text()
    assert '{"http.server.request.duration_seconds_count","service.name"="checkout"' in rules
