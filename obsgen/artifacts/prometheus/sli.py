"""SLI recording rules: the error ratio of each SLO at every window its alerts and panels need.

Named by the Prometheus convention and Sloth's layout: slo:sli_error:ratio_rate<window>,
one series per SLO told apart by the journey and slo labels.
"""

from __future__ import annotations

from obsgen.artifacts.prometheus.histograms import good_rate, valid_rate
from obsgen.artifacts.prometheus.types import RecordingRule
from obsgen.dimensions import aggregate, or_constant, zero_like
from obsgen.model import Histogram, Journey, Slo, SloType
from obsgen.promql import Matcher, Selector, format_duration, format_number, rate_sum, string_literal

SLI_ERROR = "slo:sli_error:ratio_rate{window}"
# A time-slice SLI's per-evaluation indicator: 1 for a bad slice, 0 for a good one.
SLI_TIMESLICE = "slo:sli_error:timeslice"


def sli_record_name(window: float) -> str:
    return SLI_ERROR.format(window=format_duration(window))


def slo_labels(journey: Journey, slo: Slo) -> tuple[tuple[str, str], ...]:
    return (("journey", journey.name), ("slo", slo.name))


def slo_selector(journey: Journey, slo: Slo) -> str:
    """Label matchers that pick one SLO's recorded series."""
    return "{" + ",".join(f"{k}={string_literal(v)}" for k, v in slo_labels(journey, slo)) + "}"


def sli_series(journey: Journey, slo: Slo, window: float) -> Selector:
    """The recorded ratio of one SLO at one window, as a selector."""
    return Selector(sli_record_name(window), tuple(Matcher(k, "=", v) for k, v in slo_labels(journey, slo)))


def sum_terms(rates: list[str], zero: str | None) -> str:
    # A stage that has not seen an event yet has no series: count it as zero, not as missing.
    return "\n  + ".join(f"({rate} or {zero})" if zero else f"({rate})" for rate in rates)


def _ratio(numerator: list[str], denominator: list[str], dims: tuple[str, ...] = ()) -> str:
    # "> 0" drops the sample when there were no valid events, so no traffic records nothing
    # instead of NaN, which would poison sum_over_time over the whole SLO window.
    zero = zero_like(dims, denominator)
    # Per dimension value, a lone denominator is its own skeleton: nothing to fill in.
    zero_denominator = None if dims and len(denominator) == 1 else zero
    return (f"(\n  {sum_terms(numerator, zero)}\n)\n/\n"
            f"(\n  {sum_terms(denominator, zero_denominator)}\n  > 0\n)")


def slo_histograms(journey: Journey, slo: Slo) -> list[Histogram]:
    if slo.type == SloType.JOURNEY_TIME:
        return [journey.journey_time]
    return [journey.stage(name).latency for name in slo.stages]


def query_error_ratio(slo: Slo, window: float) -> str:
    """A raw SLI: the spec's queries with their window filled in, as bad/total or 1 - good/total."""
    sli, duration = slo.query, format_duration(window)
    total = f"(\n  {sli.expand(sli.total, duration)}\n  > 0\n)"
    if sli.bad is not None:
        return f"(\n  {sli.expand(sli.bad, duration)}\n)\n/\n{total}"
    return f"1 - (\n  (\n  {sli.expand(sli.good, duration)}\n)\n/\n{total}\n)"


def timeslice_indicator(slo: Slo, dims: tuple[str, ...] = ()) -> str:
    """1 while the current slice is bad, 0 while good; a slice without data is bad, as nothing shows the data
    is fresh or the backlog under control (a vanished exporter must not look healthy). With dimensions,
    only a slice without data for any dimension value is (one unlabelled series)."""
    measure = timeslice_measure(slo, dims)
    indicator = f"({measure} > bool {format_number(slo.timeslice.threshold)})"
    if not dims:
        return f"{indicator}\nor\nvector(1)"
    # Per dimension value: one whose gauge was seen within the longest alert window is bad while it is gone.
    seen = f"present_over_time({slo.timeslice.selector.promql()}[{format_duration(timeslice_lookback(slo))}])"
    return f"{indicator}\nor\n{aggregate('group', dims, seen)}\n{or_constant(dims, '1')}"


def timeslice_lookback(slo: Slo) -> float:
    """How long a vanished dimension value's time-slice gauge still counts (as bad): the longest alert window."""
    return max(slo.windows)


def timeslice_measure(slo: Slo, dims: tuple[str, ...] = ()) -> str:
    """What a time-slice SLI compares with its threshold: the newest timestamp's age, or the aggregated gauge."""
    ts = slo.timeslice
    series = ts.selector.promql()
    if ts.kind == SloType.FRESHNESS:
        return f"(time() - {aggregate('max', dims, series)})"
    return aggregate(ts.aggregation, dims, series)


def timeslice_error_ratio(journey: Journey, slo: Slo, window: float) -> str:
    """The share of bad slices over a window: the indicator, recorded once per evaluation, averaged.
    sum/count rather than avg_over_time: both are exact on 0/1 samples in every Prometheus version,
    where avg_over_time's running mean is not, and the rule tests compare values exactly."""
    series = f"{SLI_TIMESLICE}{slo_selector(journey, slo)}[{format_duration(window)}]"
    return f"sum_over_time({series})\n/\ncount_over_time({series})"


def sli_error_ratio(journey: Journey, slo: Slo, window: float) -> str:
    """PromQL for the share of bad events among valid events over a window."""
    if slo.query is not None:
        return query_error_ratio(slo, window)
    if slo.timeslice is not None:
        return timeslice_error_ratio(journey, slo, window)
    if slo.type == SloType.AVAILABILITY:
        stages = [journey.stage(name) for name in slo.stages]
        dims = journey.dims
        return _ratio([rate_sum(s.errors, window, by=dims) for s in stages],
                      [rate_sum(s.requests, window, by=dims) for s in stages], dims)
    histograms = slo_histograms(journey, slo)
    good = [good_rate(h, slo.threshold, window, journey.dims) for h in histograms]
    valid = [valid_rate(h, window, journey.dims) for h in histograms]
    return f"1 - {_ratio(good, valid, journey.dims)}"


# The budget forecast's windows (obsgen.artifacts.prometheus.budget): the burn rate of the last day, confirmed by three.
FORECAST_WINDOWS = (86400.0, 259200.0)


def forecast_windows(slo: Slo) -> tuple[float, ...]:
    """The windows the budget forecast reads, none longer than the SLO window (whose ratio is the period's)."""
    return tuple(w for w in FORECAST_WINDOWS if w <= slo.window)


def recorded_windows(slo: Slo) -> tuple[float, ...]:
    """Every window an SLI ratio is recorded at besides the SLO window: the alerts', the dashboards' 5m and
    the budget forecast's."""
    extra = forecast_windows(slo) if slo.budget is not None and slo.budget.forecast_severity else ()
    return tuple(sorted(set(slo.windows) | {w for w in extra if w < slo.window}))


def sli_recording_rules(journey: Journey, slo: Slo) -> list[RecordingRule]:
    """The short-window ratios; the SLO window's ratio is obsgen.artifacts.prometheus.period's, in a slower group."""
    labels = slo_labels(journey, slo)
    # The indicator comes first: the ratios that average it read this evaluation's slice.
    rules = [RecordingRule(SLI_TIMESLICE, timeslice_indicator(slo, journey.dims), labels)] if slo.timeslice else []
    rules += [RecordingRule(sli_record_name(w), sli_error_ratio(journey, slo, w), labels) for w in recorded_windows(slo)]
    return rules
