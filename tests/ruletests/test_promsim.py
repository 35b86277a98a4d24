"""The reference primitives, checked by hand against Prometheus' documented behaviour.

Exact agreement with promtool (to the last bit) is tested by running the generated tests
(test_generated.py); these pin the arithmetic with numbers worked out on paper.
"""

from __future__ import annotations

import pytest

from obsgen.artifacts.ruletests.notation import STALE
from obsgen.artifacts.ruletests.promsim import (Point, Sim, bucket_quantile, extrapolated_rate, kahan_sum,
                                                linear_regression)
from obsgen.artifacts.ruletests.world import Series, World
from obsgen.promql import Selector

MINUTE_MS = 60_000
GENERATIONS = (2, 3)


def points(values, start=0):
    return [Point((start + i) * MINUTE_MS, float(v)) for i, v in enumerate(values)]


@pytest.mark.parametrize("generation", GENERATIONS)
def test_rate_over_a_full_window_is_the_increase_over_the_window(generation):
    # 60 more every minute, window [5m, 10m] fully covered by samples: 300 / 300 s
    assert extrapolated_rate(points([1000 + 60 * k for k in range(11)]), 10 * MINUTE_MS, 300, generation) == pytest.approx(1.0)


@pytest.mark.parametrize("generation", GENERATIONS)
def test_rate_extrapolates_half_an_interval_when_the_series_starts_inside_the_window(generation):
    # samples at 0..3m (180 s apart, +180); the window starts 2 minutes before the first sample,
    # more than 1.1 intervals, so Prometheus extrapolates by half an interval: 180 * 210/180 / 300
    assert extrapolated_rate(points([1000, 1060, 1120, 1180]), 3 * MINUTE_MS, 300, generation) == pytest.approx(0.7)


@pytest.mark.parametrize("generation", GENERATIONS)
def test_rate_does_not_extrapolate_below_zero(generation):
    # a counter starting at 0 is known to have started there: no extrapolation before the first sample
    assert extrapolated_rate(points([0, 60, 120, 180]), 3 * MINUTE_MS, 300, generation) == pytest.approx(0.6)


@pytest.mark.parametrize("generation", GENERATIONS)
def test_rate_corrects_counter_resets(generation):
    # 100 -> 200 -> reset -> 50: the increase is 100 + 50
    assert extrapolated_rate(points([100, 200, 50]), 2 * MINUTE_MS, 120, generation) == pytest.approx(150 / 120)


@pytest.mark.parametrize("generation", GENERATIONS)
def test_rate_needs_two_samples(generation):
    assert extrapolated_rate(points([5]), 0, 300, generation) is None


def test_bucket_quantile_interpolates_inside_the_bucket():
    buckets = [(0.5, 90.0), (1.0, 95.0), (2.5, 100.0), (float("inf"), 100.0)]
    assert bucket_quantile(0.95, buckets) == pytest.approx(1.0)
    assert bucket_quantile(0.99, buckets) == pytest.approx(1.0 + 1.5 * 4 / 5)
    assert bucket_quantile(0.5, buckets) == pytest.approx(0.5 * 50 / 90)


def test_bucket_quantile_in_the_inf_bucket_is_the_last_finite_bound():
    assert bucket_quantile(0.9, [(1.0, 10.0), (float("inf"), 20.0)]) == 1.0


def test_kahan_sum_is_exact_where_plain_summation_drifts():
    assert sum([0.1] * 10) != 1.0
    assert kahan_sum([0.1] * 10) == 1.0


def test_linear_regression_recovers_a_line():
    slope, intercept = linear_regression(points([100 + 10 * k for k in range(31)]), 30 * MINUTE_MS)
    assert slope == pytest.approx(10 / 60)
    assert intercept == pytest.approx(400)


@pytest.mark.parametrize("generation", GENERATIONS)
def test_instant_lookback_and_staleness(generation):
    world = World(12, [Series({"__name__": "up"}, [1, 1, None, None, STALE, None, None, 1, None, None, None, None])])
    sim = Sim(world, generation)
    up = Selector("up")
    assert sim.instant(up, 3) == [({"__name__": "up"}, 1.0)]  # 2 minutes old: still within 5m
    assert sim.absent(up, 4)  # a staleness marker ends the series at once
    assert not sim.absent(up, 7)
    assert not sim.absent(up, 12 - 1)  # 4 minutes old


def test_lookback_includes_a_sample_exactly_5m_old_on_prometheus_2_only():
    up = Selector("up")
    world_old = World(8, [Series({"__name__": "up"}, [1, None, None, None, None, None, None, None])])
    assert Sim(world_old, 2).instant(up, 5) and Sim(world_old, 2).absent(up, 6)  # [t - 5m, t]
    assert Sim(world_old, 3).instant(up, 4) and Sim(world_old, 3).absent(up, 5)  # (t - 5m, t]


def test_a_range_holds_its_oldest_instant_on_prometheus_2_only():
    counter = Selector("c")
    world = World(11, [Series({"__name__": "c"}, [1000 + 60 * k for k in range(11)])])
    # one sample a minute: c[5m] at 10m holds 5m..10m on 2.x, 6m..10m on 3.x
    assert [p.t_ms // MINUTE_MS for p in Sim(world, 2).points(Sim(world, 2).select(counter)[0], 10, 300)] == [5, 6, 7, 8, 9, 10]
    sim3 = Sim(world, 3)
    assert [p.t_ms // MINUTE_MS for p in sim3.points(sim3.select(counter)[0], 10, 300)] == [6, 7, 8, 9, 10]
    # a steady counter has the same rate either way: 3.x extrapolates the missing minute
    assert Sim(world, 2).sum_rate(counter, 10, 300) == pytest.approx(1.0)
    assert sim3.sum_rate(counter, 10, 300) == pytest.approx(1.0)


def test_rate_caps_the_start_gap_before_the_zero_point_on_prometheus_3():
    # Samples at 3m, 4m, 5m rising 30 a minute; c[5m] at 5m starts 180 s before the first sample,
    # beyond 1.1 intervals (66 s). The counter's zero point lies 120 s * first / 60 back.
    # 2.x clamps the gap at the zero point, then adds it if under 66 s, else half an interval (30 s);
    # 3.x replaces the gap by half an interval first, then clamps that at the zero point.
    def rate(first, generation):
        return extrapolated_rate(points([first, first + 30, first + 60], start=3), 5 * MINUTE_MS, 300, generation)

    def expected(extra_seconds):
        return 60 * (120 + extra_seconds) / 120 / 300

    assert rate(10, 2) == rate(10, 3) == pytest.approx(expected(20))  # zero point 20 s back: both stop there
    assert rate(50, 2) == rate(50, 3) == pytest.approx(expected(30))  # 100 s back: both add half an interval
    assert rate(20, 2) == pytest.approx(expected(40))  # 40 s back: 2.x extrapolates to the zero point,
    assert rate(20, 3) == pytest.approx(expected(30))  # 3.x only half an interval


def test_sum_compensates_rounding_on_prometheus_3_only():
    """sum() adds plainly in 2.x and with Kahan-Neumaier compensation in 3.x (prometheus#14074): a ratio
    saturation's sum(numerator) or a lag SLO's sum(gauge) over several series differs in the last bit."""
    world = World(1)
    assert Sim(world, 2).sum([0.1, 0.2, 0.3]) == 0.1 + 0.2 + 0.3 != 0.6
    assert Sim(world, 3).sum([0.1, 0.2, 0.3]) == 0.6
    assert Sim(world, 2).sum([]) is None and Sim(world, 3).sum([]) is None
