"""The reference primitives, checked by hand against Prometheus' documented behaviour.

Exact agreement with promtool (to the last bit) is tested by running the generated tests
(test_generated.py); these pin the arithmetic with numbers worked out on paper.
"""

from __future__ import annotations

import pytest

from obsgen.promql import Selector
from obsgen.ruletests.notation import STALE
from obsgen.ruletests.promsim import (
    Point,
    Sim,
    bucket_quantile,
    extrapolated_rate,
    kahan_sum,
    linear_regression,
)
from obsgen.ruletests.world import Series, World

MINUTE_MS = 60_000


def points(values, start=0):
    return [Point((start + i) * MINUTE_MS, float(v)) for i, v in enumerate(values)]


def test_rate_over_a_full_window_is_the_increase_over_the_window():
    # 60 more every minute, window [5m, 10m] fully covered by samples: 300 / 300 s
    assert extrapolated_rate(points([1000 + 60 * k for k in range(11)]), 10 * MINUTE_MS, 300) == pytest.approx(1.0)


def test_rate_extrapolates_half_an_interval_when_the_series_starts_inside_the_window():
    # samples at 0..3m (180 s apart, +180); the window starts 2 minutes before the first sample,
    # more than 1.1 intervals, so Prometheus extrapolates by half an interval: 180 * 210/180 / 300
    assert extrapolated_rate(points([1000, 1060, 1120, 1180]), 3 * MINUTE_MS, 300) == pytest.approx(0.7)


def test_rate_does_not_extrapolate_below_zero():
    # a counter starting at 0 is known to have started there: no extrapolation before the first sample
    assert extrapolated_rate(points([0, 60, 120, 180]), 3 * MINUTE_MS, 300) == pytest.approx(0.6)


def test_rate_corrects_counter_resets():
    # 100 -> 200 -> reset -> 50: the increase is 100 + 50
    assert extrapolated_rate(points([100, 200, 50]), 2 * MINUTE_MS, 120) == pytest.approx(150 / 120)


def test_rate_needs_two_samples():
    assert extrapolated_rate(points([5]), 0, 300) is None


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


def test_instant_lookback_and_staleness():
    world = World(12, [Series({"__name__": "up"}, [1, 1, None, None, STALE, None, None, 1, None, None, None, None])])
    sim = Sim(world)
    up = Selector("up")
    assert sim.instant(up, 3) == [({"__name__": "up"}, 1.0)]  # 2 minutes old: still within 5m
    assert sim.absent(up, 4)  # a staleness marker ends the series at once
    assert not sim.absent(up, 7)
    assert not sim.absent(up, 12 - 1)  # 4 minutes old
    world_old = World(8, [Series({"__name__": "up"}, [1, None, None, None, None, None, None, None])])
    assert Sim(world_old).instant(up, 5) and Sim(world_old).absent(up, 6)  # exactly 5m old counts, 6m does not
