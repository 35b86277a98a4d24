"""What a metric is (counter, gauge, ...), as far as someone who knows has said.

A rule file or dashboard carries no type information, and names are only a
convention: ``kafka_consumergroup_lag_sum`` and ``pg_stat_activity_count`` are
gauges, and old client libraries export counters without ``_total``.  So the
type checks never judge a series by its name alone: they ask this table,
filled from what obsgen's spec declares (``obsgen build``) or from a
Prometheus' metric metadata (``obsgen lint --prometheus URL``), and say
"cannot tell" (a note, which fails nothing) when it has no answer.

Types are those of Prometheus' metadata API and the exposition format's
``# TYPE`` line; a histogram or summary named ``x`` is exposed as the
series ``x_bucket``, ``x_count`` and ``x_sum``, all counters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

COUNTER = "counter"
GAUGE = "gauge"
HISTOGRAM = "histogram"
GAUGE_HISTOGRAM = "gaugehistogram"
SUMMARY = "summary"

# The series a metric family of each type exposes besides its own name, and what each series is.
_FAMILY_SERIES: dict[str, dict[str, str]] = {
    COUNTER: {"_total": COUNTER, "_created": GAUGE},
    HISTOGRAM: {"_bucket": COUNTER, "_count": COUNTER, "_sum": COUNTER, "_created": GAUGE},
    SUMMARY: {"_count": COUNTER, "_sum": COUNTER, "_created": GAUGE},
    GAUGE_HISTOGRAM: {"_bucket": GAUGE, "_gcount": GAUGE, "_gsum": GAUGE},
}
# A family's own name as a series: a native histogram behaves as a counter under rate(); a
# summary's quantile series and anything else declared go up and down.
_OWN_SERIES = {COUNTER: COUNTER, HISTOGRAM: COUNTER, GAUGE: GAUGE, SUMMARY: GAUGE, GAUGE_HISTOGRAM: GAUGE}


@dataclass(frozen=True)
class MetricTypes:
    """Metric family name -> declared type, and who declared them (for messages)."""

    families: Mapping[str, str] = field(default_factory=dict)
    source: str = ""

    def series_kind(self, series: str) -> str | None:
        """COUNTER or GAUGE for a series name, or None when nobody declared its family."""
        declared = self.families.get(series)
        if declared in _OWN_SERIES:
            return _OWN_SERIES[declared]
        for family_type, suffixes in _FAMILY_SERIES.items():
            for suffix, kind in suffixes.items():
                if series.endswith(suffix) and self.families.get(series[: -len(suffix)]) == family_type:
                    return kind
        return None

    def unknown_reason(self) -> str:
        """Why a series' type is unknown, and how to tell obsgen, for a note."""
        if self.source:
            return f"{self.source} does not declare its type"
        return "its type is unknown (give --prometheus URL to read metric metadata)"


NOTHING_KNOWN = MetricTypes()
