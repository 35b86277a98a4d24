"""Instrumentation profiles: the usual metric names of common servers, so a stage is three lines.

Each profile says which counter counts valid events, which extra matchers select failures,
and which histogram measures latency. A stage's own `match` is added to all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from obsgen.promql import Matcher


@dataclass(frozen=True)
class StageProfile:
    kind: str
    requests_metric: str
    requests_matchers: tuple[Matcher, ...]
    error_matchers: tuple[Matcher, ...]
    latency_histogram: str
    # Labels the latency histogram does not carry, so a stage's matchers on them are dropped there.
    labels_not_on_histogram: tuple[str, ...] = ()


STAGE_PROFILES: dict[str, StageProfile] = {
    # prometheus-fastapi-instrumentator / the seed's names: http_requests_total{handler,method,code}
    "http": StageProfile(
        kind="http",
        requests_metric="http_requests_total",
        requests_matchers=(),
        error_matchers=(Matcher("code", "=~", "5.."),),
        latency_histogram="http_request_duration_seconds",
        labels_not_on_histogram=("code",),
    ),
    # celery_tasks_total{task,state}: only finished tasks are valid events; RETRY is neither good nor bad.
    "celery": StageProfile(
        kind="task",
        requests_metric="celery_tasks_total",
        requests_matchers=(Matcher("state", "=~", "SUCCESS|FAILURE"),),
        error_matchers=(Matcher("state", "=", "FAILURE"),),
        latency_histogram="celery_task_duration_seconds",
        labels_not_on_histogram=("state",),
    ),
}


@dataclass(frozen=True)
class HealthProfile:
    metric: str
    default_matchers: tuple[Matcher, ...]


HEALTH_PROFILES: dict[str, HealthProfile] = {
    # postgres_exporter sets pg_up to 0 when it cannot reach the server.
    "postgresql": HealthProfile("pg_up", ()),
    # The rabbitmq_prometheus plugin is served by the broker itself: a failed scrape means the broker is down.
    "rabbitmq": HealthProfile("up", (Matcher("job", "=", "rabbitmq"),)),
    "scrape": HealthProfile("up", ()),
}

DEFAULT_BURN_RATES = (
    # (severity, factor, long window, short window): Google SRE workbook, table 5-8.
    ("page", 14.4, "1h", "5m"),
    ("page", 6.0, "6h", "30m"),
    ("ticket", 3.0, "1d", "2h"),
    ("ticket", 1.0, "3d", "6h"),
)
