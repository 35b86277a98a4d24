"""The calendar period ratio on a real Prometheus server (both generations), with samples as a server records
them: the 5m event rates every 2m30s at an odd phase (37s past the grid), a 20-minute gap, 40 days from
1970-01-01. The generated ratio, queried across week and month boundaries, equals the exact event ratio since
the period's start up to the last whole hour within 1%; the query's own statistics give its cost, against the
rolling 30d ratio's (docs/error-budgets.md, "Calendar windows").

The recorded series are written into the server's TSDB with `promtool tsdb create-blocks-from openmetrics`, as
the rule group would have written them: what is proven is the PromQL over real storage, not the rule scheduler.
"""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import pytest
import requests

from obsgen import calendar_window
from obsgen.artifacts.prometheus.period import (BAD_EVENTS, CALENDAR_START, VALID_EVENTS, calendar_error_ratio,
                                                period_error_ratio)
from obsgen.build.load import parse_journey
from tests.lint.test_prometheus_metadata import free_port
from tests.rules.test_calendar_period import SPEC

BINARIES = {3: (Path.home() / ".cache/obsgen/bin/prometheus", Path.home() / ".cache/obsgen/bin/promtool"),
            2: (Path("/usr/bin/prometheus"), Path("/usr/bin/promtool"))}
DAY, STEP, PHASE = 86400, 150, 37
END = 40 * DAY
GAP = (26 * DAY + 9 * 3600, 26 * DAY + 9 * 3600 + 1200)
OUTAGES = ((3 * DAY + 14 * 3600, 3 * DAY + 15 * 3600), (29 * DAY + 13 * 3600, 29 * DAY + 15 * 3600))
CHECKS = {"week": (11 * DAY - 3600, 11 * DAY + 12 * 3600, 32 * DAY + 12 * 3600, END),
          "month": (31 * DAY - 3600, 31 * DAY + 12 * 3600, END)}
TOLERANCE = 0.01


def valid_per_second(t: int) -> float:
    return 100.0 if 8 <= t % DAY // 3600 < 20 else 10.0


def bad_share(t: int) -> float:
    return 1.0 if any(a <= t < b for a, b in OUTAGES) else 0.001


def rates(t: int) -> tuple[float, float]:
    """The 5m rates a rule evaluated at t records: the mean of the per-second rates over the seconds
    t - 299 .. t, which traffic (constant within each hour) splits into at most two hours."""
    hour = t // 3600 * 3600
    before = max(0, hour - t + 299)  # seconds of the range in the previous hour
    parts = ((hour - 1, before), (t, 300 - before))
    valid = sum(valid_per_second(s) * n for s, n in parts) / 300
    return sum(valid_per_second(s) * bad_share(s) * n for s, n in parts) / 300, valid


def exact_ratio(first: int, last: int) -> float:
    """Bad over valid events in the seconds (first, last], computed hour by hour (traffic changes on hours)."""
    bad = valid = 0.0
    for t in range(first, last, 60):
        valid += valid_per_second(t) * 60
        bad += valid_per_second(t) * bad_share(t) * 60
    return bad / valid


def openmetrics(journey) -> str:
    lines = []
    for slo in journey.slos:
        labels = f'{{journey="shop",slo="{slo.name}"}}'
        for name in (BAD_EVENTS, VALID_EVENTS, CALENDAR_START):
            lines.append(f"# TYPE {name} gauge")
            for t in range(PHASE, END + 1, STEP):
                if GAP[0] <= t < GAP[1]:
                    continue
                value = (calendar_window.period_start(slo.calendar, t) if name == CALENDAR_START
                         else rates(t)[name == VALID_EVENTS])
                lines.append(f"{name}{labels} {value!r} {t}")
    return "\n".join(lines) + "\n# EOF\n"


@pytest.fixture(scope="module", params=[3, 2], ids=["prometheus3", "prometheus2"])
def server(request, tmp_path_factory):
    prometheus, promtool = BINARIES[request.param]
    if not prometheus.exists():
        pytest.skip(f"{prometheus} is not installed")
    work = tmp_path_factory.mktemp(f"calendar{request.param}")
    journey = parse_journey(SPEC, "shop.yaml")
    (work / "series.om").write_text(openmetrics(journey))
    # Blocks as long as the data: the default (2h) writes 480 blocks, a minute of the two cores each time.
    subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", f"--max-block-duration={END // 3600 + 1}h",
                    work / "series.om", work / "data"], check=True, capture_output=True, timeout=600)
    (work / "prometheus.yml").write_text("global: {scrape_interval: 1m}\n")
    port = free_port()
    process = subprocess.Popen(
        [prometheus, f"--config.file={work / 'prometheus.yml'}", f"--storage.tsdb.path={work / 'data'}",
         "--storage.tsdb.retention.time=100y", f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process)
        yield url, journey
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_ready(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"prometheus exited: {process.stderr.read().decode()}")
        try:
            if requests.get(f"{url}/-/ready", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise AssertionError(f"prometheus at {url} was not ready in {timeout}s")


def query(url: str, expr: str, at: int) -> dict:
    answer = requests.get(f"{url}/api/v1/query", params={"query": expr, "time": at, "stats": "all"}, timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]


@pytest.mark.integration
def test_the_ratio_is_the_event_ratio_since_period_start(server):
    url, journey = server
    for slo in journey.slos:
        for at in CHECKS[slo.name]:
            start = int(calendar_window.period_start(slo.calendar, at))
            expected = exact_ratio(start, at // 3600 * 3600)
            (sample,) = query(url, calendar_error_ratio(journey, slo), at)["result"]
            got = float(sample["value"][1])
            assert math.isclose(got, expected, rel_tol=TOLERANCE), (slo.name, at, got, expected)


@pytest.mark.integration
def test_the_cost_is_about_the_rolling_ratios(server):
    """Samples read per evaluation (the query statistics) at the end of a 31-day month, against the rolling
    30d ratio over the same recorded series. Printed for docs/error-budgets.md (pytest -s)."""
    url, journey = server
    month = next(s for s in journey.slos if s.name == "month")
    at = 31 * DAY - 300
    rolling_slo = parse_journey(SPEC.replace("calendar: {period: month, timeZone: UTC}", "window: 30d"),
                                "shop.yaml").slos[1]
    calendar = query(url, calendar_error_ratio(journey, month), at)["stats"]["samples"]["totalQueryableSamples"]
    rolling = query(url, period_error_ratio(journey, rolling_slo), at)["stats"]["samples"]["totalQueryableSamples"]
    print(f"\nsamples read per evaluation at day 31: calendar month {calendar}, rolling 30d {rolling}")
    assert calendar <= 1.2 * rolling
