"""Multi-window, multi-burn-rate SLO alerts (Google SRE workbook, chapter 5, alert 6).

Each severity fires when any of its (long, short) window pairs burns faster than its factor:
the long window gives significance, the short one makes the alert reset soon after recovery.
"""

from __future__ import annotations

from obsgen.model import Journey, Slo
from obsgen.promql import format_duration, format_number
from obsgen.rules.alerts_common import journey_alert
from obsgen.rules.sli import sli_record_name, slo_selector
from obsgen.rules.types import AlertRule

_SEVERITY_WORDS = {"page": "fast", "ticket": "slow"}


def _condition(journey: Journey, slo: Slo, factor: float, long: float, short: float) -> str:
    sel = slo_selector(journey, slo)
    limit = f"({format_number(factor)} * {format_number(slo.error_budget)})"
    return (f"(\n  {sli_record_name(short)}{sel} > {limit}\n"
            f"  and\n  {sli_record_name(long)}{sel} > {limit}\n)")


def burn_rate_expr(journey: Journey, slo: Slo, severity: str) -> str:
    burns = [b for b in slo.burn_rates if b.severity == severity]
    return "\nor\n".join(_condition(journey, slo, b.factor, b.long, b.short) for b in burns)


def _windows_text(slo: Slo, severity: str) -> str:
    return ", ".join(f"{format_number(b.factor)}x over {format_duration(b.long)} and {format_duration(b.short)}"
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
            f"SLO {slo.title} ({format_number(slo.objective * 100)}% over {format_duration(slo.window)}) "
            f"has an error ratio of {{{{ $value | humanizePercentage }}}} (budget {format_number(slo.error_budget * 100)}%). "
            f"Fires on burn rates {_windows_text(slo, severity)}."
        )
        alerts.append(journey_alert(
            journey, name=slo.alert_name, hold=hold, severity=severity, kind=f"burn-rate-{severity}",
            stages=slo.stages, slo=slo.name, stage=single_stage,
            expr=burn_rate_expr(journey, slo, severity), summary=summary, description=description,
        ))
    return alerts
