"""The obsgen-vs-Sloth side of the alert-quality benchmark: the Sloth spec it writes, its scenarios, and how
it reads promtool's findings. (Its promtool runs are the benchmark itself, in BENCHMARKS.md.)"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from obsgen.artifacts.prometheus.sli import sli_error_ratio
from obsgen.tools import promtool
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(ROOT))
    spec = importlib.util.spec_from_file_location("alert_quality", ROOT / "benchmarks" / "alert_quality.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["alert_quality"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def slo(journey, name):
    return next(s for s in journey.slos if s.name == name)


def test_purchase_slos_alert_on_sloths_default_windows(bench, purchase_journey):
    for name in ("checkout-success", "storefront-availability", "order-success", "checkout-latency"):
        assert bench.sloth.windows_match(slo(purchase_journey, name)), name


def test_sloth_spec_carries_obsgens_objective_queries_and_alert_name(bench, purchase_journey):
    storefront = slo(purchase_journey, "storefront-availability")
    doc = bench.sloth.spec(purchase_journey, storefront)["slos"][0]
    assert doc["objective"] == 99.95 and doc["alerting"]["name"] == storefront.alert_name
    events = doc["sli"]["events"]
    # both stages, every range Sloth's template
    assert events["error_query"].count("[{{.window}}]") == 2 and events["total_query"].count("[{{.window}}]") == 2
    assert 'handler="/products"' in events["error_query"] and 'handler="/checkout"' in events["error_query"]
    assert events["total_query"].endswith("> 0")


def test_latency_errors_are_all_events_minus_the_fast_ones(bench, purchase_journey):
    latency = slo(purchase_journey, "checkout-latency")
    bad, total = bench.sloth.event_queries(purchase_journey, latency)
    valid, fast = bad.split(" - ")
    assert f"{valid} > 0" == total and "_count{" in valid
    assert '_bucket{' in fast and 'le="0.5"' in fast  # the SLO's 0.5 s threshold


def test_constant_scenarios_pick_step_and_length_from_the_burn(bench, purchase_journey):
    checkout = slo(purchase_journey, "checkout-success")
    outage = bench.constant_scenario(checkout, 1.0)
    # page after 0.86 min + 2m `for`, ticket after 4.3 min + 15m: a 1-minute step, 15 min past the ticket
    assert outage.timing.step == 60 and outage.timing.history == 3 * 24 * 60 and outage.timing.incident == 35
    assert outage.traffic[outage.timing.history - 1].errors == 0 and outage.traffic[outage.timing.history].errors == 60_000
    budget = bench.constant_scenario(checkout, 0.001)
    assert budget.timing.step == 300 and budget.timing.incident * 300 == 3 * 86400  # nothing fires: a full 3d


def test_day_night_bad_ratio_is_ten_times_higher_at_night(bench, purchase_journey):
    scenario = bench.day_night_scenario(slo(purchase_journey, "checkout-success"))
    timing = scenario.timing
    noon, midnight = scenario.traffic[timing.history], scenario.traffic[timing.history + timing.incident // 2]
    assert noon.errors == midnight.errors > 0
    assert midnight.errors / midnight.total == pytest.approx(10 * noon.errors / noon.total)
    assert scenario.traffic[timing.end].errors == 0


def test_outcome_reads_detection_reset_and_episodes(bench):
    timing = bench.Timing(60, history=10, incident=10, recovery=10)
    out = bench.Outcome({"page": [12, 13, 16, 17, 18, 19, 20, 21], "ticket": [19]}, series=3)
    assert out.first("page", timing) == 2 and out.episodes("page", timing) == 2
    assert out.reset("page", timing) == 2  # quiet again at step 22
    assert out.first("ticket", timing) == 9 and out.reset("ticket", timing) is None  # gone before the end


@pytest.mark.integration
def test_sloths_sli_is_obsgens_sli(bench, purchase_journey, tmp_path):
    """With the pinned Sloth built, its 5m SLI is obsgen's (the same terms, brackets aside) and its rules
    pass promtool."""
    installed = subprocess.run([str(bench.sloth.GO_TOOLS), "path", "sloth"], capture_output=True).returncode == 0
    if not (installed or bench.sloth.os.environ.get(bench.sloth.ENV_VAR) or os.environ.get("CI")):
        pytest.skip("Sloth is not built (scripts/go-tools install sloth); in CI it must be")
    for name in ("storefront-availability", "checkout-latency"):
        objective = slo(purchase_journey, name)
        rules = bench.sloth.generate(purchase_journey, objective, tmp_path)
        five = next(r for g in rules["groups"] for r in g["rules"] if r.get("record") == "slo:sli_error:ratio_rate5m")
        if objective.type == "availability":
            assert _terms(five["expr"]) == _terms(sli_error_ratio(purchase_journey, objective, 300))
        assert 'le="0.5"' in five["expr"] or objective.type == "availability"
        path = Path(tmp_path) / f"sloth-{name}.rules.yaml"
        assert promtool.check_rules([path]) == []


def _terms(expr: str) -> str:
    return re.sub(r"[\s()]", "", expr)

