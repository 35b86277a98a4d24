"""A generated rule-test file for calendar SLOs (tests/<journey>.calendar.tests.yaml): traffic from 1970-01-01
across the next period boundary (the first ISO week ends on day 4, January on day 31), where each calendar SLO's
period ratio equals the exact ratio of its counters' increases since the period started within 1%, the budget is
spent just before the boundary and is back after it.

The journey's tests evaluate every minute, which over a month would take promtool minutes. This file evaluates
the recording rules hourly instead: traffic is constant within each hour (10x by day, a bad last day before the
boundary), so each hour's one 5m rate stands for the whole hour and the hourly sum is still the event ratio.
The expected values are not the reference's: they are the counters' own increases.
"""

from __future__ import annotations

from obsgen import calendar_window
from obsgen.artifacts.layout import RULES_DIR, TEST_FILE_SUFFIX, TESTS_DIR
from obsgen.artifacts.prometheus import RECORDING_FILE, rule_groups
from obsgen.artifacts.prometheus.sli import sli_record_name
from obsgen.artifacts.prometheus.slo_meta import BUDGET_REMAINING
from obsgen.artifacts.ruletests.promsim import Sim
from obsgen.artifacts.ruletests.recording import series_text
from obsgen.artifacts.ruletests.testfile import input_series
from obsgen.artifacts.ruletests.varying_traffic import TOLERANCE, event_slos, label_set
from obsgen.artifacts.ruletests.world import Phase, Traffic, World, WorldBuilder, dimension_labels
from obsgen.model import Journey, Slo, SloType
from obsgen.promql import Selector, format_duration, format_number

EVALUATION_INTERVAL = 3600
# Samples every 2m30s: two in each 5m rate's range, as many as a rate needs, for a month of input.
STEP_SECONDS = 150
HOUR = 3600 // STEP_SECONDS  # steps
DAY = 24 * HOUR
NIGHT, DAYTIME = 6000, 60000  # events a step, 10x by day (08:00-20:00 UTC)
AFTER = 12 * HOUR  # checks run until noon after the boundary
GROUP_NAME = ("calendar periods across a boundary: the period ratio is the exact ratio of increases since the "
              "period started (within 1%), the budget spent before the boundary is back after it")


def calendar_slos(journey: Journey) -> list[Slo]:
    return [s for s in event_slos(journey) if s.calendar is not None]


def calendar_test_path(journey: Journey) -> str:
    return f"{TESTS_DIR}/{journey.name}.calendar{TEST_FILE_SUFFIX}"


def boundary(slo: Slo) -> int:
    """The step the world's first period of the SLO ends at."""
    return int(calendar_window.period_end(slo.calendar, 0) // STEP_SECONDS)


def _shares(slo: Slo) -> tuple[float, float]:
    """Error shares: a quarter of the budget normally, and on the boundary's last day enough to spend it."""
    return slo.error_budget / 4, min(1.0, 62 * slo.error_budget)


def _phases(slos: list[Slo], steps: int, bad_is_slow: bool) -> list[Phase[Traffic]]:
    """Hourly phases; the error share is the first calendar SLO's (every one is checked on the same world)."""
    share, spent = _shares(slos[0])
    end = boundary(slos[0])
    out = []
    for start in range(0, steps, HOUR):
        total = DAYTIME if 8 <= start % DAY // HOUR < 20 else NIGHT
        bad = round(total * (spent if end - DAY <= start < end else share))
        out.append(Phase(start, Traffic(total, slow=bad) if bad_is_slow else Traffic(total, errors=bad)))
    return out


def world(journey: Journey, slos: list[Slo]) -> World:
    steps = max(boundary(s) for s in slos) + AFTER
    builder = WorldBuilder(journey, steps + 1, STEP_SECONDS)
    for stage in journey.stages:
        builder.stage_requests(stage, _phases(slos, steps, False))
        if stage.latency:
            builder.stage_latency(stage, _phases(slos, steps, True))
    if journey.journey_time:
        builder.journey_time(_phases(slos, steps, True))
    return builder.build()


def _increase(sim: Sim, selector: Selector, first: int, last: int) -> float:
    return sum(s.values[last] - s.values[first] for s in sim.select(selector))


def exact_ratio(journey: Journey, slo: Slo, sim: Sim, first: int, last: int) -> float:
    """Bad over valid events between the samples at steps first and last, from the counters themselves."""
    if slo.type == SloType.AVAILABILITY:
        stages = [journey.stage(name) for name in slo.stages]
        bad = sum(_increase(sim, s.errors, first, last) for s in stages)
        return bad / sum(_increase(sim, s.requests, first, last) for s in stages)
    histograms = ([journey.journey_time] if slo.type == SloType.JOURNEY_TIME
                  else [journey.stage(name).latency for name in slo.stages])
    valid = sum(_increase(sim, h.count, first, last) for h in histograms)
    good = sum(_increase(sim, h.under(slo.threshold), first, last) for h in histograms)
    return (valid - good) / valid


def _checks(journey: Journey, slo: Slo, sim: Sim) -> list[dict]:
    labels = label_set({**dimension_labels(journey), "journey": journey.name, "slo": slo.name})
    selector = {"journey": journey.name, "slo": slo.name}
    period, left = series_text(sli_record_name(slo.window), selector), series_text(BUDGET_REMAINING, selector)
    end, tests = boundary(slo), []
    for at, first in ((end - HOUR, 0), (end + AFTER, end)):
        exact = exact_ratio(journey, slo, sim, first, at)
        tests.append({"expr": f"abs({period} - {exact!r}) <= bool {format_number(TOLERANCE)} * {exact!r}",
                      "eval_time": format_duration(at * STEP_SECONDS), "exp_samples": [{"labels": labels, "value": 1}]})
    spent = exact_ratio(journey, slo, sim, 0, end - HOUR) > slo.error_budget
    for at, expected in (((end - HOUR, "<= bool 0"),) if spent else ()) + ((end + AFTER, "> bool 0.5"),):
        tests.append({"expr": f"{left} {expected}", "eval_time": format_duration(at * STEP_SECONDS),
                      "exp_samples": [{"labels": labels, "value": 1}]})
    return tests


def calendar_document(journey: Journey) -> dict | None:
    """The test file, or None when no calendar SLO counts events the world can write."""
    slos = calendar_slos(journey)
    if not slos:
        return None
    built = world(journey, slos)
    sim = Sim(built)
    groups = rule_groups(journey)
    return {
        "rule_files": [f"../{RULES_DIR}/{RECORDING_FILE}"],
        "evaluation_interval": format_duration(EVALUATION_INTERVAL),
        "group_eval_order": [g.name for g in groups if g.file == RECORDING_FILE],
        "tests": [{"name": GROUP_NAME, "interval": format_duration(STEP_SECONDS), "input_series": input_series(built, built.steps - 1),
                   "promql_expr_test": [t for slo in slos for t in _checks(journey, slo, sim)]}],
    }
