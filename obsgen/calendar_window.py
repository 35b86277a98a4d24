"""Calendar SLO windows (docs/error-budgets.md, "Calendar windows"): the periods obsgen supports and their lengths.

A calendar window's budget counts from the start of the current month or ISO week (UTC) and resets at the next.
Its nominal length stands in for the window wherever a length is needed (burn-rate factors, the budget forecast,
slo:time_period:days); its longest length bounds the range the period rule must read.
"""

from __future__ import annotations

import calendar
import datetime

DAY = 86400.0
WEEK = 7 * DAY
# A month's nominal length is 30d, as the SRE workbook's and Sloth's 30-day budgets.
NOMINAL = {"month": 30 * DAY, "week": WEEK}
LONGEST = {"month": 31 * DAY, "week": WEEK}
# PromQL's date functions (day_of_month, days_in_month) read UTC only; these names all mean UTC.
UTC_NAMES = ("UTC", "Etc/UTC", "Z")
# 1970-01-01 was a Thursday: ISO weeks start 4 days after the epoch, then every 7 days.
FIRST_MONDAY = 4 * DAY


def period_start(period: str, t: float) -> float:
    """The UTC start of the period holding t (seconds since the epoch), as the generated PromQL computes it."""
    if period == "week":
        return (t - FIRST_MONDAY) // WEEK * WEEK + FIRST_MONDAY
    day = _utc(t)
    return t // DAY * DAY - (day.day - 1) * DAY


def period_end(period: str, t: float) -> float:
    """The UTC start of the next period."""
    if period == "week":
        return period_start(period, t) + WEEK
    day = _utc(t)
    return period_start(period, t) + calendar.monthrange(day.year, day.month)[1] * DAY


def _utc(t: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
