"""PromQL over a latency histogram, right for its kind (classic buckets or native) and its unit.

Spec thresholds are seconds; a milliseconds histogram is compared in milliseconds (le="500" for
500ms), and every quantile obsgen records or alerts on is converted back to seconds, so series
named *_seconds hold seconds and Go templates can humanizeDuration them.
"""

from __future__ import annotations

from obsgen.dimensions import aggregate
from obsgen.model import Histogram
from obsgen.promql import format_duration, format_number, rate_sum


def _native_rate(histogram: Histogram, window: float) -> str:
    return f"rate({histogram.series.promql()}[{format_duration(window)}])"


def good_rate(histogram: Histogram, seconds: float, window: float, dims: tuple[str, ...] = ()) -> str:
    """Events per second at or under a threshold (per dimension value)."""
    if not histogram.native:
        return rate_sum(histogram.under(seconds), window, by=dims)
    rate = _native_rate(histogram, window)
    bound = format_number(histogram.in_unit(seconds))
    return aggregate("sum", dims, f"histogram_fraction(0, {bound}, {rate}) * histogram_count({rate})")


def valid_rate(histogram: Histogram, window: float, dims: tuple[str, ...] = ()) -> str:
    """Events per second, whatever their latency (per dimension value)."""
    if not histogram.native:
        return rate_sum(histogram.count, window, by=dims)
    return aggregate("sum", dims, f"histogram_count({_native_rate(histogram, window)})")


def valid_increase(histogram: Histogram, window: float, dims: tuple[str, ...] = ()) -> str:
    """Events within a window, whatever their latency (per dimension value)."""
    if not histogram.native:
        return aggregate("sum", dims, f"increase({histogram.count.promql()}[{format_duration(window)}])")
    return aggregate("sum", dims, f"histogram_count(increase({histogram.series.promql()}[{format_duration(window)}]))")


def to_seconds(histogram: Histogram, expr: str) -> str:
    return expr if histogram.scale == 1 else f"{expr} / {format_number(histogram.scale)}"


def quantile_seconds(histogram: Histogram, quantile: float, window: float, dims: tuple[str, ...] = ()) -> str:
    """A quantile over a window, in seconds (per dimension value)."""
    q = format_number(quantile)
    if histogram.native:
        inner = aggregate("sum", dims, _native_rate(histogram, window))
    else:
        inner = rate_sum(histogram.bucket, window, by=("le",) + tuple(dims))
    return to_seconds(histogram, f"histogram_quantile({q}, {inner})")


def raw_quantile(histogram: Histogram, quantile: float, rate_interval: str) -> str:
    """A quantile straight from the histogram, in its own unit: the only query that keeps exemplars
    (their values are in the histogram's unit, so the panel shows that unit)."""
    q = format_number(quantile)
    if histogram.native:
        return f"histogram_quantile({q}, sum(rate({histogram.series.promql()}[{rate_interval}])))"
    return f"histogram_quantile({q}, sum by (le) (rate({histogram.bucket.promql()}[{rate_interval}])))"


def grafana_unit(histogram: Histogram) -> str:
    return "ms" if histogram.unit == "milliseconds" else "s"
