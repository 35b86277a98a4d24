"""The SLO-window ratio counts events: on a month of day/night traffic (10x by day) with outages by night and
by day, error bursts, a counter reset and a scrape gap, slo:sli_error:ratio_rate7d and ratio_rate30d equal the
exact ratio of the counters' increases within 1%, with the real promtool of both generations.

The recorded 5m event rates come from the generated rule file; the window ratio is the generated period
expression, queried at the check times (evaluating it every step over a month would only slow the test).
A time average of 5m ratios, the rule this replaces, misses by far more on the same data (checked too).
"""

from __future__ import annotations

import dataclasses

import pytest

from obsgen.artifacts.prometheus import rule_groups
from obsgen.artifacts.prometheus.period import BAD_EVENTS, VALID_EVENTS, period_error_ratio
from obsgen.build.load import parse_journey
from tests.rules.traffic import DAY, EVAL_MINUTES, TOLERANCE, Traffic, exact_ratio, promtool_test
from tests.ruletests.test_generations import promtool_of_generation

SPEC = """\
apiVersion: obsgen/v1
kind: Journey
metadata: {name: shop, service: shop, team: web, runbookBaseUrl: https://runbooks.example.com}
spec:
  stages:
    - name: checkout
      kind: task
      requests: {metric: shop_requests_total, match: {job: shop}}
      errors: {metric: shop_errors_total}
  slos:
    - {name: week, type: availability, stages: [checkout], objective: 99.5, window: 7d}
    - {name: month, type: availability, stages: [checkout], objective: 99.5, window: 30d}
"""

DAYS = 31
MINUTES = DAYS * DAY
# (first minute, minutes, error ratio): a night-time and a day-time hour-long outage, day-time bursts; the service
# restarts on day 9; 20 minutes without a scrape on day 16.
TRAFFIC = Traffic(MINUTES, ((2 * DAY + 2 * 60, 60, 1.0), (5 * DAY + 14 * 60, 60, 1.0), (12 * DAY + 14 * 60, 30, 0.2),
                            (19 * DAY + 3 * 60, 45, 0.5), (25 * DAY + 11 * 60, 20, 0.3), (27 * DAY + 23 * 60, 90, 1.0)),
                  reset_at=9 * DAY + 10 * 60, gap=range(16 * DAY + 9 * 60, 16 * DAY + 9 * 60 + 20))

# (SLO, check times in minutes): a full window, windows sliding past the first days, a partial month.
CHECKS = (("week", (7 * DAY, 10 * DAY + 7 * 60, 20 * DAY + 19 * 60, 28 * DAY + 6 * 60, MINUTES)),
          ("month", (20 * DAY, 30 * DAY, MINUTES)))


def time_averaged_ratio(requests: list[int], errors: list[int], window: int, at: int) -> float:
    """What the replaced rule computed: the mean of the 5m ratios over the window."""
    starts = range(max(0, at - window), at, EVAL_MINUTES)
    ratios = [sum(errors[s:s + EVAL_MINUTES]) / sum(requests[s:s + EVAL_MINUTES]) for s in starts]
    return sum(ratios) / len(ratios)


def rule_file(journey) -> dict:
    """The generated period group without its window ratio, which the test queries instead."""
    group = next(g for g in rule_groups(journey) if g.name.endswith("-sli-period"))
    kept = tuple(r for r in group.rules if r.record in (BAD_EVENTS, VALID_EVENTS))
    return {"groups": [dataclasses.replace(group, rules=kept).as_dict()]}


def rule_test_document(journey) -> dict:
    requests, errors = TRAFFIC.increments()
    slos = {slo.name: slo for slo in journey.slos}
    return TRAFFIC.ratio_test_document([
        (period_error_ratio(journey, slos[name]), name, at,
         exact_ratio(requests, errors, at - int(slos[name].window // 60), at))
        for name, times in CHECKS for at in times])


def test_the_traffic_pattern_tells_event_and_time_averages_apart():
    """The check can fail: on this month the time average misses the event ratio by far more than 1%."""
    requests, errors = TRAFFIC.increments()
    for name, times in CHECKS:
        window = 7 * DAY if name == "week" else 30 * DAY
        misses = [abs(time_averaged_ratio(requests, errors, window, at) / exact_ratio(requests, errors, at - window, at) - 1)
                  for at in times]
        assert max(misses) > 10 * TOLERANCE, (name, misses)


@pytest.mark.integration
@pytest.mark.parametrize("major", [3, 2])
def test_period_sli_is_the_ratio_of_increases(major, tmp_path):
    binary = promtool_of_generation(major)
    journey = parse_journey(SPEC, "shop.yaml")
    result = promtool_test(binary, rule_file(journey), rule_test_document(journey), tmp_path, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
