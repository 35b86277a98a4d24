"""SLI recording rules: the error ratio of each SLO at every window its alerts and panels need.

Named by the Prometheus convention and Sloth's layout: slo:sli_error:ratio_rate<window>,
one series per SLO told apart by the journey and slo labels.
"""

from __future__ import annotations

from obsgen.model import Histogram, Journey, Slo
from obsgen.promql import format_duration, rate_sum, string_literal
from obsgen.rules.histograms import good_rate, valid_rate
from obsgen.rules.types import RecordingRule

SLI_ERROR = "slo:sli_error:ratio_rate{window}"


def sli_record_name(window: float) -> str:
    return SLI_ERROR.format(window=format_duration(window))


def slo_labels(journey: Journey, slo: Slo) -> tuple[tuple[str, str], ...]:
    return (("journey", journey.name), ("slo", slo.name))


def slo_selector(journey: Journey, slo: Slo) -> str:
    """Label matchers that pick one SLO's recorded series."""
    return "{" + ",".join(f"{k}={string_literal(v)}" for k, v in slo_labels(journey, slo)) + "}"


def _sum_terms(rates: list[str]) -> str:
    # A stage that has not seen an event yet has no series: count it as zero, not as missing.
    return "\n  + ".join(f"({rate} or vector(0))" for rate in rates)


def _ratio(numerator: list[str], denominator: list[str]) -> str:
    # "> 0" drops the sample when there were no valid events, so no traffic records nothing
    # instead of NaN, which would poison sum_over_time over the whole SLO window.
    return f"(\n  {_sum_terms(numerator)}\n)\n/\n(\n  {_sum_terms(denominator)}\n  > 0\n)"


def _histograms(journey: Journey, slo: Slo) -> list[Histogram]:
    if slo.type == "journey-time":
        return [journey.journey_time]
    return [journey.stage(name).latency for name in slo.stages]


def sli_error_ratio(journey: Journey, slo: Slo, window: float) -> str:
    """PromQL for the share of bad events among valid events over a window."""
    if slo.type == "availability":
        stages = [journey.stage(name) for name in slo.stages]
        return _ratio([rate_sum(s.errors, window) for s in stages], [rate_sum(s.requests, window) for s in stages])
    histograms = _histograms(journey, slo)
    good = [good_rate(h, slo.threshold, window) for h in histograms]
    valid = [valid_rate(h, window) for h in histograms]
    return f"1 - {_ratio(good, valid)}"


def sli_recording_rules(journey: Journey, slo: Slo) -> list[RecordingRule]:
    labels = slo_labels(journey, slo)
    rules = [RecordingRule(sli_record_name(w), sli_error_ratio(journey, slo, w), labels) for w in slo.windows]
    rules.append(RecordingRule(sli_record_name(slo.window), period_error_ratio(journey, slo), labels))
    return rules


def period_error_ratio(journey: Journey, slo: Slo) -> str:
    """The SLO-window ratio from the 5m series (as Sloth does): cheap, and survives counter resets."""
    series = f"{sli_record_name(300)}{slo_selector(journey, slo)}"
    window = format_duration(slo.window)
    return f"sum_over_time({series}[{window}])\n/\ncount_over_time({series}[{window}])"
