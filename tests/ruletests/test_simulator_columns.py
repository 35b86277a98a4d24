"""The simulator's fast paths give exactly, to the last bit, what the straightforward computation gives.

promtool compares the generated expectations exactly, so the columns (obsgen/artifacts/ruletests/column.py), the running
compensated sums of an SLO window and the one-value shortcut of sum() must not change a single float. Each
property below recomputes from the definitions, one step at a time, as the simulator did before it had
columns: every range's samples as points, extrapolatedRate over them, a fresh sum at every step. The steps are
asked in random order, so columns are filled ahead, out of order and beyond the world's end.
"""

from __future__ import annotations

import functools
import math
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from obsgen.artifacts.ruletests import generation as generations, scenarios as scenario_module
from obsgen.artifacts.ruletests.emit import emit_rule_tests
from obsgen.artifacts.ruletests.notation import STALE
from obsgen.artifacts.ruletests.promsim import Sim, extrapolated_rate, kahan_sum, plain_sum
from obsgen.artifacts.ruletests.reference import Reference
from obsgen.artifacts.ruletests.scenarios import CAP, FIRST_SPAN, scenarios
from obsgen.artifacts.ruletests.testfile import rule_test_path, scenario_group
from obsgen.artifacts.ruletests.world import Phase, Series, Traffic, World, WorldBuilder, per_step
from obsgen.build.load import load_journey
from obsgen.promql import Selector
from tests.conftest import PURCHASE_SPEC, ROOT

PROPERTIES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WINDOWS = (60.0, 120.0, 300.0, 330.0, 1800.0, 3600.0)


def same(a: float | None, b: float | None) -> bool:
    """Bit for bit (0.0 and -0.0 differ), NaN equal to NaN."""
    if a is None or b is None:
        return a is b
    return struct.pack("<d", a) == struct.pack("<d", b) or (math.isnan(a) and math.isnan(b))


# -- series ----------------------------------------------------------------------------------------------

@st.composite
def counters(draw, steps: int) -> list:
    """A counter with gaps, staleness markers and resets (a non-monotonic series takes the slow path)."""
    value, samples = draw(st.integers(0, 10**6)), []
    for _ in range(steps):
        kind = draw(st.sampled_from(["sample"] * 6 + ["gap", "stale", "reset"]))
        if kind == "gap":
            samples.append(None)
        elif kind == "stale":
            samples.append(STALE)
        else:
            value = draw(st.integers(0, 50)) if kind == "reset" else value + draw(st.integers(0, 5000))
            samples.append(value)
    return samples


@st.composite
def worlds(draw) -> World:
    steps = draw(st.integers(1, 40))
    series = [Series({"__name__": "c", "k": str(i)}, draw(counters(steps))) for i in range(draw(st.integers(1, 3)))]
    return World(steps, series)


def direct_sum(sim: Sim, selector: Selector, step: int, window: float, is_rate: bool = True) -> float | None:
    values = []
    for series in sim.select(selector):
        points = sim.points(series, step, window)
        if len(points) >= 2:
            values.append(extrapolated_rate(points, sim.t_ms(step), window, sim.generation, is_rate))
    if not values:
        return None
    return kahan_sum(values) if sim.generation >= 3 else plain_sum(values)


@PROPERTIES
@given(world=worlds(), generation=st.sampled_from([2, 3]), window=st.sampled_from(WINDOWS),
       order=st.lists(st.integers(-2, 45), min_size=1, max_size=60))
def test_summed_rates_and_increases_are_the_direct_computation(world, generation, window, order):
    sim, fresh = Sim(world, generation), Sim(world, generation)
    selector = Selector("c")
    for step in order:
        assert same(sim.sum_rate(selector, step, window), direct_sum(fresh, selector, step, window))
        assert same(sim.sum_increase(selector, step, window), direct_sum(fresh, selector, step, window, False))
        rates = [v for _, v in sim.rate(selector, step, window)]
        assert same(sim.sum(rates), direct_sum(fresh, selector, step, window))


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_the_sum_of_one_value_is_kahans_sum_of_it(value):
    assert same(Sim(World(1), 3).sum([value]), kahan_sum([value]))
    assert same(Sim(World(1), 2).sum([value]), plain_sum([value]))


# -- SLIs ------------------------------------------------------------------------------------------------

@st.composite
def traffic_phases(draw, steps: int, slow: bool) -> list[Phase]:
    phases = []
    for start in sorted(draw(st.sets(st.integers(0, steps - 1), min_size=1, max_size=4))):
        total = draw(st.integers(0, 3000))
        bad = draw(st.integers(0, total))
        traffic = Traffic(total, slow=bad) if slow else Traffic(total, errors=bad)
        phases.append(Phase(start, None if draw(st.booleans()) and start else traffic))
    return phases


@functools.cache
def journey_of(spec: Path):
    return load_journey(spec)


@settings(PROPERTIES, max_examples=25)
@given(data=st.data(), generation=st.sampled_from([2, 3]))
def test_event_slis_and_slo_window_ratios_are_the_direct_computation(data, generation):
    journey = journey_of(PURCHASE_SPEC)
    steps = data.draw(st.integers(2, 70))
    builder = WorldBuilder(journey, steps)
    for stage in journey.stages:
        builder.stage_requests(stage, data.draw(traffic_phases(steps, False)))
        if stage.latency:
            builder.stage_latency(stage, data.draw(traffic_phases(steps, True)))
    builder.journey_time(data.draw(traffic_phases(steps, True)))
    world = builder.build()
    with generations.targeting(generation):
        reference, fresh = Reference(journey, world, strict=False), Sim(world, generation)
    order = data.draw(st.lists(st.integers(0, steps + 3), min_size=1, max_size=12))
    for slo in journey.slos:
        for window in sorted({*slo.windows, slo.window, 300.0}):
            for step in order:
                expected = (direct_period(reference, fresh, slo, step) if window == slo.window
                            else direct_window(journey, fresh, slo, window, step))
                assert same(reference.sli(slo, window, step), expected), (slo.name, window, step)


def inputs(journey, slo) -> tuple[list[Selector], list[Selector]]:
    if slo.type == "availability":
        stages = [journey.stage(name) for name in slo.stages]
        return [s.errors for s in stages], [s.requests for s in stages]
    histograms = ([journey.journey_time] if slo.type == "journey-time"
                  else [journey.stage(name).latency for name in slo.stages])
    return [h.under(slo.threshold) for h in histograms], [h.count for h in histograms]


def terms(sim: Sim, selectors: list[Selector], step: int, window: float) -> float | None:
    total = None
    for selector in selectors:
        term = direct_sum(sim, selector, step, window)
        term = 0.0 if term is None else term
        total = term if total is None else total + term
    return total


def direct_window(journey, sim: Sim, slo, window: float, step: int) -> float | None:
    selected, valid = inputs(journey, slo)
    denominator = terms(sim, valid, step, window)
    if not denominator > 0:
        return None
    ratio = terms(sim, selected, step, window) / denominator
    return ratio if slo.type == "availability" else 1 - ratio


def direct_events(journey, sim: Sim, slo, step: int) -> tuple[float, float]:
    selected, valid = inputs(journey, slo)
    valid_rate, selected_rate = terms(sim, valid, step, 300.0), terms(sim, selected, step, 300.0)
    return (selected_rate, valid_rate) if slo.type == "availability" else (valid_rate - selected_rate, valid_rate)


def direct_period(reference: Reference, sim: Sim, slo, step: int) -> float | None:
    pairs = [direct_events(reference.journey, sim, slo, k) for k in reference.evaluations_in(step, slo.window)]
    valid = kahan_sum([v for _, v in pairs]) if pairs else 0.0
    if not valid > 0:
        return None
    return kahan_sum([b for b, _ in pairs]) / valid


@PROPERTIES
@given(data=st.data(), generation=st.sampled_from([2, 3]))
def test_time_slice_ratios_are_the_direct_computation(data, generation):
    journey = journey_of(ROOT / "specs/examples/nightly-backup.yaml")
    slo = next(s for s in journey.slos if s.timeslice is not None)
    steps = data.draw(st.integers(2, 120))
    starts = sorted(data.draw(st.sets(st.integers(0, steps - 1), min_size=1, max_size=4)))
    shares = [data.draw(st.one_of(st.none(), st.sampled_from([0.0, 0.02, 0.25, 0.5, 1.0]))) for _ in starts]
    builder = WorldBuilder(journey, steps)
    builder.timeslice(slo, [Phase(start, share) for start, share in zip(starts, shares)])
    with generations.targeting(generation):
        world = builder.build()
        reference, fresh = Reference(journey, world, strict=False), Reference(journey, world, strict=False)
    order = data.draw(st.lists(st.integers(0, steps + 3), min_size=1, max_size=40))
    for window in sorted({*slo.windows, slo.window}):
        for step in order:
            slices = [fresh.timeslice_bad(slo, k) for k in fresh.evaluations_in(step, window)]
            assert same(reference.sli(slo, window, step), kahan_sum(slices) / float(len(slices))), (window, step)


@PROPERTIES
@given(starts=st.lists(st.integers(-3, 45), max_size=6), steps=st.integers(0, 40))
def test_phases_by_step_are_the_step_by_step_lookup(starts, steps):
    """per_step writes each phase's run at once: at every step the last phase (in start order) begun by
    then, the same object, or None before the first."""
    phases = [Phase(start, object()) for start in starts]
    ordered = sorted(phases, key=lambda p: p.start)
    expected = [next((p.value for p in reversed(ordered) if p.start <= step), None) for step in range(steps)]
    got = per_step(phases, steps)
    assert len(got) == steps and all(a is b for a, b in zip(got, expected))


@pytest.mark.parametrize("spec", [PURCHASE_SPEC, ROOT / "specs/examples/kafka-consumer.yaml"], ids=lambda p: p.stem)
def test_scenarios_over_the_first_span_are_those_over_cap(spec, monkeypatch):
    """A pack runs over FIRST_SPAN minutes, and over CAP only when it needs more: the test groups are the
    ones every pack run over CAP gives. kafka-consumer has packs that need more (horizons of 247 minutes)."""
    journey = journey_of(spec)
    first = scenarios(journey)
    monkeypatch.setattr(scenario_module, "FIRST_SPAN", CAP)
    over_cap = scenarios(journey)
    assert [scenario_group(s) for s in first] == [scenario_group(s) for s in over_cap]
    beyond = [s.horizon for s in first if s.horizon > FIRST_SPAN]
    assert bool(beyond) == (spec != PURCHASE_SPEC)
    assert all(s.world.steps == (CAP if s.horizon > FIRST_SPAN else FIRST_SPAN) + 1 for s in first[1:])


# -- the generated files ---------------------------------------------------------------------------------

COMMITTED = [(PURCHASE_SPEC, ROOT / "generated")] + [
    (spec, ROOT / "generated/examples") for spec in sorted((ROOT / "specs/examples").glob("*.yaml"))]


@pytest.mark.integration  # the generation is the local promtool's, as `obsgen build` picks it
@pytest.mark.parametrize("spec, out", COMMITTED, ids=lambda v: v.stem if isinstance(v, Path) and v.suffix else "")
def test_the_generated_rule_tests_are_the_committed_ones(spec, out):
    """What `obsgen build --check` asserts for the rule tests, without running promtool: the simulator's
    expectations for the Prometheus generation the build writes for, byte for byte below the header."""
    journey = load_journey(spec)
    committed = out / journey.name / rule_test_path(journey)
    generated = emit_rule_tests(journey)[0].content
    assert body(generated) == body(committed.read_text(encoding="utf-8"))


def body(text: str) -> list[str]:
    """The file without its header comments, which name the spec's path as the build was given it."""
    return [line for line in text.splitlines() if not line.startswith("# Generated by obsgen from ")]
