"""Dependency health profiles and default burn-rate windows (as budget shares).

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

# (severity, percent of the SLO window's error budget consumed in the long window, long, short): the
# Google SRE workbook's table 5-8 (page 2% in 1h and 5% in 6h, ticket 10% in 3d) plus a 10%-in-1d ticket.
# For a 30d SLO they are its burn rates 14.4, 6, 3 and 1; obsgen.spec.burn_rates scales them to any window.
DEFAULT_BUDGET_SHARES = (
    ("page", 2.0, "1h", "5m"),
    ("page", 5.0, "6h", "30m"),
    ("ticket", 10.0, "1d", "2h"),
    ("ticket", 10.0, "3d", "6h"),
)
