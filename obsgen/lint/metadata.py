"""Metric types from a live Prometheus' metadata API (``obsgen lint --prometheus URL``).

``GET /api/v1/metadata`` lists, for every metric family its targets expose,
the ``# TYPE`` each target declared.  A family two targets declare
differently is left out: its type is then unknown, not guessed.
"""

from __future__ import annotations

import requests

from obsgen.lint.metric_types import GAUGE, MetricTypes

TIMEOUT_SECONDS = 10
UNKNOWN_TYPES = frozenset({"unknown", "untyped", "info", "stateset", ""})
# Series Prometheus writes itself for every scrape: the API has no metadata for them, and its
# documentation ("Jobs and instances") says what they are.
SCRAPE_SERIES = {
    name: GAUGE
    for name in ("up", "scrape_duration_seconds", "scrape_samples_scraped",
                 "scrape_samples_post_metric_relabeling", "scrape_series_added")
}


class MetadataError(Exception):
    """Prometheus could not be asked (down, wrong URL, not Prometheus): a usage error."""


def fetch(base_url: str) -> MetricTypes:
    url = base_url.rstrip("/") + "/api/v1/metadata"
    try:
        response = requests.get(url, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        body = response.json()
    except (requests.RequestException, ValueError) as error:
        raise MetadataError(f"cannot read metric metadata from {url}: {error}") from None
    if not isinstance(body, dict) or body.get("status") != "success" or not isinstance(body.get("data"), dict):
        raise MetadataError(f"{url} did not answer like Prometheus' metadata API: {str(body)[:200]}")
    return MetricTypes({**SCRAPE_SERIES, **families_from(body["data"])}, f"Prometheus at {base_url}")


def families_from(data: dict) -> dict[str, str]:
    families = {}
    for name, entries in sorted(data.items()):
        types = {entry.get("type", "") for entry in entries if isinstance(entry, dict)}
        if len(types) == 1 and not types & UNKNOWN_TYPES:
            families[name] = types.pop()
    return families
