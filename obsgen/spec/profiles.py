"""Dependency health profiles and default burn-rate windows.

Stage instrumentation profiles are data: stage_profiles.yaml (read by stage_profiles.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from obsgen.promql import Matcher


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
