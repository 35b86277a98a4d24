"""Calendar windows (docs/error-budgets.md, "Calendar windows"): a month or an ISO week in UTC, refused with its
position when the time zone is not UTC, when a rolling window is given too, or on a time-slice SLO."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from obsgen.build.load import parse_journey
from obsgen.spec.schema import schema_json
from tests.spec_text import AVAILABILITY_SLO, FRESHNESS_SLO, SHOP, problems

SLO = AVAILABILITY_SLO


def test_a_calendar_month_has_the_nominal_30d_window_and_its_factors():
    slo = parse_journey(SHOP + SLO + "      calendar: {period: month}\n", "shop.yaml").slos[0]
    assert (slo.calendar, slo.window) == ("month", 30 * 86400)
    assert [b.factor for b in slo.burn_rates] == [14.4, 6, 3, 1]


def test_an_iso_week_has_the_factors_of_a_7d_window():
    slo = parse_journey(SHOP + SLO + "      calendar: {period: week, timeZone: Etc/UTC}\n", "shop.yaml").slos[0]
    assert (slo.calendar, slo.window) == ("week", 7 * 86400)
    assert [b.factor for b in slo.burn_rates] == [3.36, 1.4, 1, 1]


def test_a_time_zone_other_than_utc_is_refused_at_its_position():
    found = problems(SHOP + SLO + "      calendar: {period: month, timeZone: Europe/Berlin}\n")
    assert found == ["shop.yaml:18:43: time zone 'Europe/Berlin' is not supported: calendar periods start at "
                     "00:00 UTC (PromQL's date functions know only UTC)"]


def test_calendar_and_window_together_are_refused():
    found = problems(SHOP + SLO + "      window: 30d\n      calendar: {period: month}\n")
    assert found == ["shop.yaml:18:15: give either window (rolling) or calendar, not both"]


def test_a_time_slice_slo_keeps_its_rolling_window():
    text = SHOP + FRESHNESS_SLO + "      calendar: {period: week}\n"
    assert problems(text) == ["shop.yaml:18:17: a freshness SLO is budgeted by timeslices, which keep a rolling "
                              "window; calendar windows count events (docs/error-budgets.md)"]


@pytest.mark.integration  # runs the CLI
def test_an_unknown_period_is_refused_by_the_schema(tmp_path):
    (tmp_path / "shop.yaml").write_text(SHOP + SLO + "      calendar: {period: quarter}\n")
    result = subprocess.run([sys.executable, "-m", "obsgen", "build", str(tmp_path / "shop.yaml"), "--out",
                             str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "shop.yaml:18:" in result.stderr and "Traceback" not in result.stderr


def test_the_schema_describes_the_calendar_field_and_its_time_zones():
    schema = json.loads(schema_json())
    calendar = schema["$defs"]["CalendarWindow"]
    assert calendar["properties"]["period"]["enum"] == ["month", "week"]
    assert "only UTC" in calendar["properties"]["timeZone"]["description"]
