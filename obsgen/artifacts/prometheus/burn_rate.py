"""Multi-window, multi-burn-rate SLO alerts (Google SRE workbook, chapter 5, alert 6).

Each severity fires when any of its (long, short) window pairs burns faster than its factor:
the long window gives significance, the short one makes the alert reset soon after recovery.
A page pair of an event-based SLO also needs enough valid events in its short window (the
low-traffic guard, BurnRate.min_events): with a handful of requests one failure is a huge ratio.
"""

from __future__ import annotations

from obsgen.artifacts.prometheus.alerts_common import journey_alert
from obsgen.artifacts.prometheus.histograms import valid_increase
from obsgen.artifacts.prometheus.sli import sli_record_name, slo_selector
from obsgen.artifacts.prometheus.types import AlertRule
from obsgen.dimensions import by_clause, zero_like
from obsgen.model import BurnRate, Journey, Slo, SloType
from obsgen.promql import format_duration, format_number

_SEVERITY_WORDS = {"page": "fast", "ticket": "slow"}


def valid_events(journey: Journey, slo: Slo, window: float) -> str:
    """Valid events of the SLO within a window (per dimension value): the SLI's denominator as a count."""
    dims, duration = journey.dims, format_duration(window)
    if slo.type == SloType.AVAILABILITY:
        terms = [f"sum{by_clause(dims)}(increase({journey.stage(n).requests.promql()}[{duration}]))" for n in slo.stages]
    else:
        histograms = [journey.journey_time] if slo.type == SloType.JOURNEY_TIME else [journey.stage(n).latency for n in slo.stages]
        terms = [valid_increase(h, window, dims) for h in histograms]
    if len(terms) == 1:
        return terms[0]
    # A stage without events yet has no series: it counts as none, not as a missing sum.
    zero = zero_like(dims, terms)
    return " + ".join(f"({term} or {zero})" for term in terms)


def _guard(journey: Journey, slo: Slo, burn: BurnRate) -> str:
    if not burn.min_events:
        return ""
    on = f"on ({', '.join(journey.dims)})" if journey.dims else "on ()"
    return f"\n  and {on}\n  ({valid_events(journey, slo, burn.short)}) >= {burn.min_events}"


def _condition(journey: Journey, slo: Slo, burn: BurnRate) -> str:
    sel = slo_selector(journey, slo)
    limit = f"({format_number(burn.factor)} * {format_number(slo.error_budget)})"
    return (f"(\n  {sli_record_name(burn.short)}{sel} > {limit}\n"
            f"  and\n  {sli_record_name(burn.long)}{sel} > {limit}{_guard(journey, slo, burn)}\n)")


def burn_rate_expr(journey: Journey, slo: Slo, severity: str) -> str:
    burns = [b for b in slo.burn_rates if b.severity == severity]
    return "\nor\n".join(_condition(journey, slo, b) for b in burns)


def _windows_text(slo: Slo, severity: str) -> str:
    return ", ".join(f"{format_number(b.factor)}x over {format_duration(b.long)} and {format_duration(b.short)}"
                     + (f" (at least {b.min_events} events in {format_duration(b.short)})" if b.min_events else "")
                     for b in slo.burn_rates if b.severity == severity)


def burn_rate_alerts(journey: Journey, slo: Slo) -> list[AlertRule]:
    if not slo.alerting:
        return []
    alerts = []
    for severity, hold in (("page", slo.page_for), ("ticket", slo.ticket_for)):
        if not any(b.severity == severity for b in slo.burn_rates):
            continue
        single_stage = slo.stages[0] if len(slo.stages) == 1 else ""
        summary = f"{journey.title}: {slo.title} is burning its error budget {_SEVERITY_WORDS[severity]}"
        description = (
            f"SLO {slo.title} ({format_number(slo.objective * 100)}% over {slo.window_text}) "
            f"has an error ratio of {{{{ $value | humanizePercentage }}}} (budget {format_number(slo.error_budget * 100)}%). "
            f"Fires on burn rates {_windows_text(slo, severity)}."
        )
        alerts.append(journey_alert(
            journey, name=slo.alert_name, hold=hold, severity=severity, kind=f"burn-rate-{severity}",
            stages=slo.stages, slo=slo.name, stage=single_stage,
            expr=burn_rate_expr(journey, slo, severity), summary=summary, description=description,
        ))
    return alerts
