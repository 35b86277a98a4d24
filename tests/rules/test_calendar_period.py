"""A calendar SLO's period ratio counts the events since the period started and resets at the next period: on
40 days of day/night traffic (10x by day) from 1970-01-01 (a Thursday; ISO weeks start on Mondays, the 5th,
12th, ...; February starts on day 31), with outages just before period boundaries, a counter reset and a scrape
gap, the generated ratio of a calendar week and a calendar month SLO equals the exact ratio of the counters'
increases since the period's start within 1%, with the real promtool of both generations.

The recorded rules come from the generated period group; the ratio is the generated expression, queried at the
check times (whole hours, the ratio's resolution), as tests/rules/test_period_sli.py does for rolling windows.
"""

from __future__ import annotations

import dataclasses

import pytest

from obsgen import calendar_window
from obsgen.artifacts.prometheus import rule_groups
from obsgen.artifacts.prometheus.period import CALENDAR_END, CALENDAR_START, calendar_error_ratio
from obsgen.build.load import parse_journey
from tests.rules.test_period_sli import SPEC as PERIOD_SPEC
from tests.rules.traffic import DAY, TOLERANCE, Traffic, exact_ratio, promtool_test
from tests.ruletests.test_generations import promtool_of_generation

# The rolling-window test's journey, its SLOs asking for a calendar week and month instead.
SPEC = (PERIOD_SPEC.replace("window: 7d}", "calendar: {period: week}}")
        .replace("window: 30d}", "calendar: {period: month, timeZone: UTC}}"))

DAYS = 40
MINUTES = DAYS * DAY
HOUR = 60
# (first minute, minutes, error ratio): outages late in a week and late in January, which the next period forgets;
# the service restarts on day 17; 20 minutes without a scrape on day 26.
TRAFFIC = Traffic(MINUTES, ((3 * DAY + 14 * HOUR, 60, 1.0), (10 * DAY + 20 * HOUR, 90, 1.0),
                            (29 * DAY + 13 * HOUR, 120, 1.0), (33 * DAY + 3 * HOUR, 45, 0.5),
                            (36 * DAY + 11 * HOUR, 30, 0.3)),
                  reset_at=17 * DAY + 10 * HOUR, gap=range(26 * DAY + 9 * HOUR, 26 * DAY + 9 * HOUR + 20))
# Check times (minutes): a day into a week, just before and 12h after week and month boundaries, late in a period.
CHECKS = {
    "week": (5 * DAY, 11 * DAY - HOUR, 11 * DAY + 12 * HOUR, 17 * DAY + 12 * HOUR, 32 * DAY + 12 * HOUR, MINUTES),
    "month": (20 * DAY, 31 * DAY - HOUR, 31 * DAY + 12 * HOUR, 33 * DAY + 12 * HOUR, MINUTES),
}


def period_start_minute(period: str, at: int) -> int:
    return int(calendar_window.period_start(period, at * 60) // 60)


def rule_file(journey) -> dict:
    """The generated period group without its ratios, which the test queries instead."""
    group = next(g for g in rule_groups(journey) if g.name.endswith("-sli-period"))
    kept = tuple(r for r in group.rules if not r.record.startswith("slo:sli_error:"))
    assert {CALENDAR_START, CALENDAR_END} <= {r.record for r in kept}
    return {"groups": [dataclasses.replace(group, rules=kept).as_dict()]}


def rule_test_document(journey) -> dict:
    requests, errors = TRAFFIC.increments()
    return TRAFFIC.ratio_test_document([
        (calendar_error_ratio(journey, slo), slo.name, at,
         exact_ratio(requests, errors, period_start_minute(slo.calendar, at), at))
        for slo in journey.slos for at in CHECKS[slo.name]])


def test_the_boundaries_tell_calendar_and_rolling_windows_apart():
    """The check can fail: after each boundary the rolling window's ratio misses the period's by far."""
    requests, errors = TRAFFIC.increments()
    for name, times in CHECKS.items():
        window = int(calendar_window.NOMINAL[name] // 60)
        after_reset = [at for at in times if at - period_start_minute(name, at) < DAY]
        assert after_reset, name
        for at in after_reset:
            period = exact_ratio(requests, errors, period_start_minute(name, at), at)
            rolling = exact_ratio(requests, errors, at - window, at)
            assert abs(rolling / period - 1) > 10 * TOLERANCE, (name, at, rolling, period)


def test_period_bounds_are_utc_months_and_iso_weeks():
    journey = parse_journey(SPEC, "shop.yaml")
    assert [s.calendar for s in journey.slos] == ["week", "month"]
    assert [s.window for s in journey.slos] == [7 * 86400.0, 30 * 86400.0]
    assert calendar_window.period_start("week", 0) == -3 * 86400  # Monday 1969-12-29
    assert calendar_window.period_start("month", 31 * 86400 + 5) == 31 * 86400  # 1970-02-01
    assert calendar_window.period_end("month", 31 * 86400) == 59 * 86400  # 1970-03-01


@pytest.mark.integration
@pytest.mark.parametrize("major", [3, 2])
def test_calendar_ratio_is_the_ratio_of_increases_since_period_start(major, tmp_path):
    binary = promtool_of_generation(major)
    journey = parse_journey(SPEC, "shop.yaml")
    result = promtool_test(binary, rule_file(journey), rule_test_document(journey), tmp_path, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
