"""An SLO's burn-rate window pairs: window-aware factors, the low-traffic guard, and the pairs that are no alert.

A pair's factor says how fast the budget burns; what a person on call cares about is how much of the
budget is gone when the alert fires. The SRE workbook's pairs are shares of a 30-day budget (page 2% in
1h), so obsgen keeps the share and derives the factor from the SLO window:

    factor = share x SLO window / long window        (30d: 2% in 1h -> 14.4; 7d -> 3.36; 90d -> 43.2)

and a 7d, 28d, 30d or 90d SLO pages after the same share of its budget. Tickets are kept at 1x or more:
below 1x the budget outlasts the window, so a ticket would ask someone to act on an SLO that is met.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from obsgen.model import BurnRate
from obsgen.promql import format_duration, format_number, parse_duration
from obsgen.spec import format as fmt
from obsgen.spec.profiles import DEFAULT_BUDGET_SHARES

TICKET_FLOOR = 1.0


@dataclass(frozen=True)
class Planned:
    """One pair as the spec gives it (or the defaults derive it), with the spec path its problems point at."""

    path: tuple  # the burnRates entry, or the SLO's objective for derived defaults
    severity: str
    factor: float
    long: float
    short: float
    explicit: bool
    factor_key: str = "factor"  # which key of an explicit entry the factor came from


def window_factor(share_percent: float, window: float, long: float) -> float:
    """The burn rate at which share_percent of a window's budget is consumed within long."""
    return round(share_percent / 100 * window / long, 6)


def guard_events(factor: float, budget: float) -> int:
    """The fewest valid events in which one bad event stays at or under factor x budget: with fewer, a
    single failure crosses the page threshold of that window. Rounded to 1e-9 so 1/0.1 is 10, not 11."""
    return max(1, math.ceil(round(1 / (factor * budget), 9)))


def planned(slo: fmt.Slo, window: float, path: tuple) -> list[Planned]:
    """The SLO's pairs: its own burnRates (factor or budgetShare), else the window-aware defaults."""
    if slo.alerting.burn_rates:
        out = []
        for j, b in enumerate(slo.alerting.burn_rates):
            long = parse_duration(b.long)
            factor = b.factor if b.factor is not None else window_factor(b.budget_share or 0, window, long)
            out.append(Planned(path + ("alerting", "burnRates", j), b.severity, factor, long, parse_duration(b.short),
                               True, "factor" if b.factor is not None else "budgetShare"))
        return out
    return default_pairs(window, path + ("objective",))


def default_pairs(window: float, path: tuple = ()) -> list[Planned]:
    """The workbook's budget shares as pairs for an SLO window (path: where their problems point)."""
    out = []
    for severity, share, long_text, short_text in DEFAULT_BUDGET_SHARES:
        long = parse_duration(long_text)
        factor = window_factor(share, window, long)
        if severity == "ticket":
            factor = max(factor, TICKET_FLOOR)
        out.append(Planned(path, severity, factor, long, parse_duration(short_text), False))
    return out


def burn_rates(pairs: list[Planned], budget: float, min_events: int | None, guarded: bool) -> tuple[BurnRate, ...]:
    """The model's pairs; page pairs of event-based SLOs carry their low-traffic guard."""
    def guard(p: Planned) -> int:
        if p.severity != "page" or not guarded:
            return 0
        return guard_events(p.factor, budget) if min_events is None else min_events
    return tuple(BurnRate(p.severity, p.factor, p.long, p.short, guard(p)) for p in pairs)


def problems(pairs: list[Planned], budget: float, window: float, window_path: tuple) -> list[tuple[tuple, str]]:
    """(path, message) for each pair that could never fire or whose windows do not fit; window_path is where
    the SLO window is written, which a derived pair's long window is measured against."""
    found = []
    for p in pairs:
        where = p.path + ((p.factor_key,) if p.explicit else ())
        if p.factor * budget >= 1:
            found.append((where, f"a {format_number(p.factor)}x burn rate with an error budget of "
                                 f"{format_number(round(budget * 100, 9))}% needs more than 100% errors: this "
                                 f"{p.severity} could never fire; "
                                 + ("lower the factor or raise the objective" if p.explicit else
                                    "give alerting.burnRates with longer windows, or raise the objective")))
        if p.long > window:
            found.append((p.path + ("long",) if p.explicit else window_path,
                          f"long window {format_duration(p.long)} is longer than the SLO window "
                          f"{format_duration(window)}" + ("" if p.explicit else "; set alerting.burnRates")))
        if p.explicit and p.short >= p.long:
            found.append((p.path + ("short",), f"short window {format_duration(p.short)} must be shorter than long "
                                               f"window {format_duration(p.long)}"))
    return found


def warnings(pairs: list[Planned], window: float) -> list[tuple[tuple, str]]:
    """(path, message) for each page that fires at an error ratio the budget can sustain (factor <= 1)."""
    return [(p.path + ((p.factor_key,) if p.explicit else ()),
             f"page at {format_number(p.factor)}x over {format_duration(p.long)} fires at error ratios the budget "
             f"sustains for the whole {format_duration(window)} window: a page should need a faster burn (factor above 1)")
            for p in pairs if p.severity == "page" and p.factor <= 1]
