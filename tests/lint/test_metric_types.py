"""Series types from declared metric families, never from a name alone."""

from obsgen.lint.metadata import families_from
from obsgen.lint.metric_types import COUNTER, GAUGE, HISTOGRAM, NOTHING_KNOWN, SUMMARY, MetricTypes


def test_series_of_each_declared_family():
    types = MetricTypes(
        {
            "http_requests_total": COUNTER,  # Go client: TYPE line names the series
            "orders_created": COUNTER,  # Python client: TYPE line names the family, series orders_created_total
            "http_request_duration_seconds": HISTOGRAM,
            "rpc_latency_seconds": SUMMARY,
            "kafka_consumergroup_lag_sum": GAUGE,
            "pg_stat_database_xact_commit": COUNTER,  # a real counter without _total
        },
        "test",
    )
    assert types.series_kind("http_requests_total") == COUNTER
    assert types.series_kind("orders_created_total") == COUNTER
    assert types.series_kind("orders_created_created") == GAUGE
    assert types.series_kind("http_request_duration_seconds_bucket") == COUNTER
    assert types.series_kind("http_request_duration_seconds_count") == COUNTER
    assert types.series_kind("http_request_duration_seconds") == COUNTER  # a native histogram
    assert types.series_kind("rpc_latency_seconds_sum") == COUNTER
    assert types.series_kind("rpc_latency_seconds") == GAUGE  # the quantiles
    assert types.series_kind("rpc_latency_seconds_bucket") is None  # summaries have no buckets
    assert types.series_kind("kafka_consumergroup_lag_sum") == GAUGE
    assert types.series_kind("pg_stat_database_xact_commit") == COUNTER
    assert types.series_kind("kafka_consumergroup_lag") is None


def test_nothing_known_says_how_to_know():
    assert NOTHING_KNOWN.series_kind("http_requests_total") is None
    assert "--prometheus URL" in NOTHING_KNOWN.unknown_reason()
    assert MetricTypes({}, "the spec").unknown_reason() == "the spec does not declare its type"


def test_metadata_families_skip_conflicting_and_untyped_declarations():
    data = {
        "up": [{"type": "gauge", "help": "", "unit": ""}],
        "requests_total": [{"type": "counter", "help": "", "unit": ""}, {"type": "counter", "help": "x", "unit": ""}],
        "flaky": [{"type": "counter", "help": "", "unit": ""}, {"type": "gauge", "help": "", "unit": ""}],
        "legacy": [{"type": "unknown", "help": "", "unit": ""}],
    }
    assert families_from(data) == {"requests_total": COUNTER, "up": GAUGE}
