"""Pages after the cause resolved: how long each symptom page of a dependency keeps paging after its
down alert resolves, without and with the RecentlyDown companion, at real scale (1m evaluations).

For every dependency of each spec, the rule tests' recovery scenario (obsgen/artifacts/ruletests/recovery.py)
is replayed by the reference evaluator: the dependency is down and its symptoms burn at 100% until
every page among them has fired, then everything recovers at minute R. For each burn-rate window pair
of a symptom SLO (evaluated on its own) and each stage alert:

  before = minutes from R until the page stops firing (nothing inhibits it once the cause resolved),
  after  = minutes from R until the page stops firing *un-inhibited* (firing while the companion of
           its severity is not active); 0 means no page reached anyone.

The same reference timelines are checked against the real rules by promtool in every build.

With --queue-drains, for each dependency with a queue gauge, the recovery scenario whose backlog drains
for longer than the page period after the cause resolved (the symptoms burning until it has):

  before = as above; timed = minutes from R during which the page fires while a companion that only
  lasts the period after the cause (the timed one, without its backlog part) is over; after = the same
  for the backlog-aware companion.

Usage:  python benchmarks/page_reset.py [specs/purchase.yaml specs/examples/*.yaml] [--out FILE] [--queue-drains]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from obsgen.artifacts.impact import impact_map  # noqa: E402
from obsgen.artifacts.prometheus import journey_alerts  # noqa: E402
from obsgen.artifacts.prometheus.burn_rate import burn_rate_alerts  # noqa: E402
from obsgen.artifacts.prometheus.recently_down import INHIBITS, KIND, backlog, held_back, reset_periods  # noqa: E402
from obsgen.artifacts.ruletests.expect import Timeline  # noqa: E402
from obsgen.artifacts.ruletests.recovery import DRAINS, recovery_scenario  # noqa: E402
from obsgen.artifacts.ruletests.reference import Reference  # noqa: E402
from obsgen.artifacts.ruletests.scenarios import ScenarioError, decidable_alerts  # noqa: E402
from obsgen.build.load import load_journey  # noqa: E402
from obsgen.model import Journey  # noqa: E402
from obsgen.promql import format_duration, format_number  # noqa: E402


def _resolved_at(timeline: Timeline, cause) -> int:
    return next(s for s in range(1, 600) if timeline.fires(cause, s - 1) and not timeline.fires(cause, s))


def _run_end(fires, start: int, until: int) -> int:
    """Minutes from start until the firing run that covers start ends (0: not firing at start)."""
    step = start
    while step < until and fires(step):
        step += 1
    return step - start


def _pairs(journey: Journey, slo, timeline: Timeline, world, resolved: int, companion, until: int):
    for burn in (b for b in slo.burn_rates if b.severity == "page"):
        alone = dataclasses.replace(slo, burn_rates=(burn,))
        variant = dataclasses.replace(journey, slos=tuple(alone if s.name == slo.name else s for s in journey.slos))
        page = next(a for a in burn_rate_alerts(variant, alone) if a.severity == "page")
        pair = Timeline(Reference(variant, world), [page])
        label = f"{slo.alert_name} {format_number(burn.factor)}x {format_duration(burn.long)}/{format_duration(burn.short)}"
        yield label, pair, page


def measure(journey: Journey) -> list[dict]:
    rows = []
    alerts = decidable_alerts(journey, journey_alerts(journey))
    for dep in journey.local_dependencies:
        try:
            scenario = recovery_scenario(journey, alerts, dep)
        except ScenarioError as error:
            print(f"{journey.name}/{dep.name}: {error}", file=sys.stderr)
            continue
        if scenario is None:
            continue
        timeline, world = scenario.timeline, scenario.world
        cause = next(a for a in alerts if a.alert == dep.down_alert_name)
        companion = next(a for a in alerts if a.kind == KIND and a.dependency == dep.name and a.label(INHIBITS) == "page")
        resolved = _resolved_at(timeline, cause)
        until = resolved + int(reset_periods(journey, dep)["page"] // 60) + 1  # the new failure starts after this
        names = set(held_back(impact_map(journey).of(dep.name).symptoms))
        subjects = []
        for slo in (s for s in journey.slos if s.alert_name in names):
            subjects += list(_pairs(journey, slo, timeline, world, resolved, companion, until))
        subjects += [(a.alert, timeline, a) for a in alerts if a.alert in names and a.severity == "page"
                     and not a.kind.startswith("burn-rate")]
        for label, own, page in subjects:
            before = _run_end(lambda s: own.fires(page, s), resolved, until)
            after = _run_end(lambda s: own.fires(page, s) and not timeline.fires(companion, s), resolved, until)
            if before:
                rows.append({"journey": journey.name, "dependency": dep.name, "page": label, "before": before,
                             "after": after, "period": format_duration(reset_periods(journey, dep)["page"])})
    return rows


def measure_drains(journey: Journey) -> list[dict]:
    rows = []
    alerts = decidable_alerts(journey, journey_alerts(journey))
    for dep in (d for d in journey.local_dependencies if backlog(journey, d)):
        scenario = recovery_scenario(journey, alerts, dep, DRAINS)
        if scenario is None:
            continue
        timeline = scenario.timeline
        cause = next(a for a in alerts if a.alert == dep.down_alert_name)
        companion = next(a for a in alerts if a.kind == KIND and a.dependency == dep.name and a.label(INHIBITS) == "page")
        resolved = _resolved_at(timeline, cause)
        period = reset_periods(journey, dep)["page"]
        until = resolved + next(m for m in range(1, 600) if not timeline.fires(companion, resolved + m))

        def timed(step: int) -> bool:  # the cause fired at an evaluation within the period
            return any(timeline.fires(cause, p) for p in Reference(journey, scenario.world).evaluations_in(step, period))
        names = set(held_back(impact_map(journey).of(dep.name).symptoms))
        for page in (a for a in timeline.alerts if a.alert in names and a.severity == "page"):
            paging = [s for s in range(resolved, until) if timeline.fires(page, s)]
            if paging:
                rows.append({"journey": journey.name, "dependency": dep.name, "page": page.alert,
                             "before": len(paging), "timed": sum(not timed(s) for s in paging),
                             "after": sum(not timeline.fires(companion, s) for s in paging),
                             "drained": f"{until - resolved} min"})
    return rows


def drain_table(rows: list[dict]) -> str:
    lines = ["| journey | dependency | symptom page | paging after the cause resolved: no companion | timed companion "
             "| backlog-aware companion | backlog-aware companion lasted |", "|---|---|---|---:|---:|---:|---|"]
    lines += [f"| {r['journey']} | {r['dependency']} | {r['page']} | {r['before']} min | {r['timed']} min | "
              f"{r['after']} min | {r['drained']} |" for r in rows]
    return "\n".join(lines) + "\n"


def table(rows: list[dict]) -> str:
    lines = ["| journey | dependency | symptom page (window pair) | paging after the cause resolved: before | after | companion (page) |",
             "|---|---|---|---:|---:|---|"]
    lines += [f"| {r['journey']} | {r['dependency']} | {r['page']} | {r['before']} min | {r['after']} min | {r['period']} |"
              for r in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("specs", nargs="*", type=Path, default=[Path("specs/purchase.yaml")])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--queue-drains", action="store_true", help="the queue-drain scenarios (see the module doc)")
    args = parser.parse_args()
    if args.queue_drains:
        text = drain_table([row for spec in args.specs for row in measure_drains(load_journey(spec))])
    else:
        text = table([row for spec in args.specs for row in measure(load_journey(spec))])
    if args.out:
        args.out.write_text(text)
    print(text, end="")


if __name__ == "__main__":
    main()
