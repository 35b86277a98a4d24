"""Window-aware burn rates and the low-traffic guard, measured with promtool (alert_quality.py --windows).

1. For the spec's 99.9% availability SLO, the same incidents (a constant bad ratio after a clean 3d
   history) with the SLO window set to 7d, 28d, 30d and 90d: before, the fixed 30-day factors
   (14.4/6 page, 3/1 ticket, what every window got until issue 14); after, the factors derived from
   the workbook's budget shares (obsgen.spec.burn_rates). For each: when the page and the ticket
   fire, and the share of the SLO window's error budget spent by then (bad ratio x detection time /
   (budget x window)). Alerts never read the SLO window, so "before" is one run for every window.
2. The low-traffic guard: a total outage at a few requests a minute, with the default guard and
   without it (minEvents: 0), so its effect on detection time is seen where it binds.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from benchmarks import alert_quality as aq
from obsgen.model import BurnRate, Journey, Slo
from obsgen.promql import format_duration, format_number
from obsgen.spec.burn_rates import burn_rates, default_pairs
from obsgen.tools import promtool

WINDOW_DAYS = (7, 28, 30, 90)
RATES = (1.0, 0.01, 0.002)  # 1000x, 10x and 2x a 99.9% budget
FIXED = (("page", 14.4, 3600, 300), ("page", 6.0, 21600, 1800), ("ticket", 3.0, 86400, 7200),
         ("ticket", 1.0, 259200, 21600))  # the 30-day table every window used before
LOW_TRAFFIC = (1, 5, 10)  # requests a minute, all failing
UNGUARDED = (1, 10)  # without the guard the page does not wait for traffic: two levels show it
MINUTES_PER_DAY = 1440


def fixed(slo: Slo) -> Slo:
    return dataclasses.replace(slo, burn_rates=tuple(BurnRate(s, f, lo, sh) for s, f, lo, sh in FIXED))


def window_aware(slo: Slo, days: int, guarded: bool = True) -> Slo:
    window = days * 86400.0
    pairs = burn_rates(default_pairs(window), slo.error_budget, None if guarded else 0, True)
    return dataclasses.replace(slo, window=window, burn_rates=pairs)


def with_slo(journey: Journey, slo: Slo) -> Journey:
    return dataclasses.replace(journey, slos=tuple(slo if s.name == slo.name else s for s in journey.slos))


def measured(journey: Journey, slo: Slo, rate: float, traffic: int = aq.TRAFFIC) -> dict[str, aq.Row]:
    """The page and ticket rows of one promtool run, by severity."""
    variant = with_slo(journey, slo)
    rows = aq.measure(variant, aq.Case(slo, rate, traffic))
    return {r.alert.severity: r for r in rows if r.alert.slo == slo.name}


def budget_spent(rate: float, minutes: float | None, slo: Slo, days: int) -> str:
    if minutes is None:
        return "-"
    return f"{format_number(round(rate * minutes / (slo.error_budget * days * MINUTES_PER_DAY) * 100, 2))}%"


def factors(slo: Slo) -> str:
    pages = "/".join(format_number(b.factor) for b in slo.burn_rates if b.severity == "page")
    tickets = "/".join(format_number(b.factor) for b in slo.burn_rates if b.severity == "ticket")
    return f"{pages} · {tickets}"


def window_table(results: dict, slo: Slo) -> str:
    lines = ["| SLO window | bad ratio (burn) | factors before (page · ticket) | page before | budget spent | "
             "ticket before | budget spent | factors after | page after | budget spent | ticket after | budget spent |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for days in WINDOW_DAYS:
        for rate in RATES:
            before, after = results[("before", rate)], results.get((days, rate), results[("before", rate)])
            cells = []
            for rows, variant in ((before, fixed(slo)), (after, window_aware(slo, days))):
                page, ticket = rows["page"], rows["ticket"]
                cells += [factors(variant), aq._minutes(page.detection), budget_spent(rate, page.detection, slo, days),
                          aq._minutes(ticket.detection), budget_spent(rate, ticket.detection, slo, days)]
            burn = f"{format_number(round(rate * 100, 4))}% ({format_number(round(rate / slo.error_budget, 2))}x)"
            lines.append(f"| {days}d | {burn} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def guard_table(results: dict, slo: Slo) -> str:
    guards = ", ".join(f"{b.min_events} events in {format_duration(b.short)}"
                       for b in window_aware(slo, 30).burn_rates if b.min_events)
    lines = [f"Default guard of this SLO: {guards}.", "",
             "| requests a minute (all failing) | page, guarded | page, minEvents: 0 | ticket |", "|---|---|---|---|"]
    for traffic in LOW_TRAFFIC:
        guarded, unguarded = results[("guarded", traffic)], results.get(("unguarded", traffic))
        without = aq._minutes(unguarded["page"].detection) if unguarded else "not run"
        lines.append(f"| {traffic} | {aq._minutes(guarded['page'].detection)} | {without} "
                     f"| {aq._minutes(guarded['ticket'].detection)} |")
    return "\n".join(lines)


def jobs(journey: Journey, slo: Slo) -> list[tuple]:
    out = [(("before", r), fixed(slo), r, aq.TRAFFIC) for r in RATES]
    # 30d's derived factors are the fixed table (and the guard never binds at this traffic): "before" is its row
    out += [((d, r), window_aware(slo, d), r, aq.TRAFFIC) for d in WINDOW_DAYS if d != 30 for r in RATES]
    out += [(("guarded", t), window_aware(slo, 30), 1.0, t) for t in LOW_TRAFFIC]
    out += [(("unguarded", t), window_aware(slo, 30, guarded=False), 1.0, t) for t in UNGUARDED]
    return out


def run(journey: Journey, args) -> int:
    slo = next(s for s in journey.slos if s.type == "availability" and abs(s.objective - 0.999) < 1e-12
               and len(s.stages) == 1)
    started = time.monotonic()

    def timed(job):
        key, variant, rate, traffic = job
        began = time.monotonic()
        rows = measured(journey, variant, rate, traffic)
        print(f"{key}: {time.monotonic() - began:.1f}s", file=sys.stderr)
        return key, rows

    with ThreadPoolExecutor(max_workers=aq.WORKERS) as pool:
        results = dict(pool.map(timed, jobs(journey, slo)))
    elapsed = time.monotonic() - started
    text = (f"Command: `python benchmarks/alert_quality.py --windows --spec {args.spec} --out {args.out}` "
            f"({elapsed:.0f} s with {aq.WORKERS} promtool processes; promtool {promtool.version()}). "
            f"SLO: {journey.name} {slo.name}, {format_number(slo.objective * 100)}%.\n\n"
            f"{window_table(results, slo)}\n\n{guard_table(results, slo)}\n")
    return aq.publish(text, args.out)
