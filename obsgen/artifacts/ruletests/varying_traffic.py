"""A rule-test group on varying traffic: each event-counted SLO's window ratio (slo:sli_error:ratio_rate30d...)
is within 1% of the exact ratio of its counters' increases.

Traffic changes tenfold between "night" and "day" phases, with a day-time burst and a night-time outage, so a
time average of 5m ratios (what the window ratio was before it counted events) misses by far: the night's
outage is 4% of the events but a fifth of the time. The expected value is not the simulator's: it is the
ratio of the input counters' increases, which the generated PromQL must approach within TOLERANCE.
"""

from __future__ import annotations

from obsgen.artifacts.prometheus.sli import sli_record_name
from obsgen.artifacts.ruletests.native import slo_reads_native
from obsgen.artifacts.ruletests.promsim import Sim
from obsgen.artifacts.ruletests.recording import series_text
from obsgen.artifacts.ruletests.world import Phase, Traffic, World, WorldBuilder, dimension_labels
from obsgen.model import Journey, Slo, SloType
from obsgen.promql import Selector, format_number, label_name, string_literal

TOLERANCE = 0.01
MINUTES = 300
NIGHT, DAY = 600, 6000  # events a minute
# (first minute, events a minute, share of them bad): night, day, a day-time burst, day, a night outage, night.
PHASES = ((0, NIGHT, 0.002), (60, DAY, 0.002), (120, DAY, 0.1), (130, DAY, 0.002), (180, NIGHT, 1.0),
          (240, NIGHT, 0.002))
GROUP_NAME = ("SLO-window ratios on varying traffic (10x by day, a day-time burst, a night-time outage): "
              "each within 1% of the exact ratio of the counters' increases")


def event_slos(journey: Journey) -> list[Slo]:
    """The SLOs whose window ratio counts events the world writes (not time slices, raw PromQL or native)."""
    return [s for s in journey.slos if s.timeslice is None and s.query is None and not slo_reads_native(journey, s)]


def _phases(bad_is_slow: bool) -> list[Phase[Traffic]]:
    out = []
    for start, total, share in PHASES:
        bad = round(total * share)
        out.append(Phase(start, Traffic(total, slow=bad) if bad_is_slow else Traffic(total, errors=bad, slow=0)))
    return out


def world(journey: Journey) -> World:
    builder = WorldBuilder(journey, MINUTES + 1)
    for stage in journey.stages:
        builder.stage_requests(stage, _phases(False))
        if stage.latency:
            builder.stage_latency(stage, _phases(True))
    if journey.journey_time:
        builder.journey_time(_phases(True))
    return builder.build()


def _increase(sim: Sim, selector: Selector) -> float:
    """The counters' increase over the whole world, summed over the series the selector picks."""
    total = 0.0
    for series in sim.select(selector):
        present = [v for v in series.values if v is not None]
        total += present[-1] - present[0] if present else 0.0
    return total


def exact_ratio(journey: Journey, slo: Slo, sim: Sim) -> float:
    """Bad events over valid events, from the counters themselves."""
    if slo.type == SloType.AVAILABILITY:
        stages = [journey.stage(name) for name in slo.stages]
        bad = sum(_increase(sim, s.errors) for s in stages)
        return bad / sum(_increase(sim, s.requests) for s in stages)
    histograms = ([journey.journey_time] if slo.type == SloType.JOURNEY_TIME
                  else [journey.stage(name).latency for name in slo.stages])
    valid = sum(_increase(sim, h.count) for h in histograms)
    good = sum(_increase(sim, h.under(slo.threshold)) for h in histograms)
    return (valid - good) / valid


def varying_traffic_group(journey: Journey, input_series, minutes: str, interval: str) -> dict | None:
    """The promtool test group, or None when no SLO counts events the world can write."""
    slos = event_slos(journey)
    if not slos:
        return None
    built = world(journey)
    sim = Sim(built)
    tests = []
    for slo in slos:
        labels = {**dimension_labels(journey), "journey": journey.name, "slo": slo.name}
        period = series_text(sli_record_name(slo.window), {"journey": journey.name, "slo": slo.name})
        exact = exact_ratio(journey, slo, sim)
        tests.append({"expr": f"abs({period} / {exact!r} - 1) < bool {format_number(TOLERANCE)}",
                      "eval_time": minutes, "exp_samples": [{"labels": label_set(labels), "value": 1}]})
    return {"name": GROUP_NAME, "interval": interval, "input_series": input_series(built, MINUTES),
            "promql_expr_test": tests}


def label_set(labels: dict[str, str]) -> str:
    """A result's labels as promtool reads them (no metric name: the comparison drops it)."""
    return "{" + ",".join(f"{label_name(k)}={string_literal(v)}" for k, v in sorted(labels.items())) + "}"
