"""promtool's expanding series notation: compressed runs expand back to the same samples."""

from __future__ import annotations

from obsgen.artifacts.ruletests.notation import STALE, compress, expand


def test_arithmetic_runs_compress_to_one_token():
    assert compress([1000 + 10 * k for k in range(4321)]) == "1000+10x4320"
    assert compress([5, 5, 5]) == "5+0x2"
    assert compress([9, 7, 5]) == "9-2x2"


def test_gaps_and_staleness_markers():
    values = [1, 2, 3, STALE, None, None, 7, 8]
    text = compress(values)
    assert text == "1+1x2 stale _x2 7+1x1"
    assert expand(text) == values


def test_round_trip_of_an_irregular_series():
    values = [0, 1, 3, 6, 6, 6, None, STALE, 2.5, 10]
    assert expand(compress(values)) == values


def test_single_values_and_single_gaps():
    assert compress([4]) == "4"
    assert compress([None]) == "_"
