"""The budget policy's alerts (docs/error-budgets.md): the error budget of the SLO window is spent, and at
the recent burn rate it will be soon.

Burn-rate alerts say "something is wrong now"; these say "the promise for this window is broken (or about
to be)", the moment the budget policy asks for a decision: freeze risky releases, put reliability first.
"""

from __future__ import annotations

from obsgen.artifacts.prometheus.alerts_common import journey_alert
from obsgen.artifacts.prometheus.sli import forecast_windows, sli_record_name, slo_selector
from obsgen.artifacts.prometheus.slo_meta import BUDGET_REMAINING, ERROR_BUDGET
from obsgen.artifacts.prometheus.types import AlertRule
from obsgen.model import Journey, Slo
from obsgen.promql import format_duration, format_number

EXHAUSTED = "budget-exhausted"
FORECAST = "budget-forecast"


def _hold(slo: Slo, severity: str) -> float:
    return slo.page_for if severity == "page" else slo.ticket_for


def _join(journey: Journey) -> str:
    # The budget is one series per SLO; with dimensions, each dimension value's ratio divides by it.
    return "on (journey, slo) group_left" if journey.dims else "on (journey, slo)"


def exhausted_expr(journey: Journey, slo: Slo) -> str:
    return f"{BUDGET_REMAINING}{slo_selector(journey, slo)} <= 0"


def time_left_expr(journey: Journey, slo: Slo, window: float) -> str:
    """Seconds until the budget left is spent at the burn rate of the window: left * SLO window / burn rate
    (a burn rate of 1 spends a whole budget in one SLO window)."""
    sel = slo_selector(journey, slo)
    burn = f"{sli_record_name(window)}{sel}\n  / {_join(journey)}\n  {ERROR_BUDGET}{sel}"
    return f"{BUDGET_REMAINING}{sel} * {format_number(slo.window)}\n/\n(\n  {burn}\n)"


def forecast_expr(journey: Journey, slo: Slo) -> str:
    """The time left at the first window's burn rate, while every forecast window agrees and budget is left."""
    within = format_number(slo.budget.forecast_within)
    windows = forecast_windows(slo) or (slo.window,)
    conditions = [f"(\n{time_left_expr(journey, slo, w)}\n)\n< {within}" for w in windows]
    left = f"{BUDGET_REMAINING}{slo_selector(journey, slo)} > 0"
    return "\nand\n".join(f"(\n{c}\n)" for c in conditions) + f"\nand\n(\n  {left}\n)"


def _window_text(slo: Slo) -> str:
    return " and ".join(format_duration(w) for w in (forecast_windows(slo) or (slo.window,)))


def budget_alerts(journey: Journey, slo: Slo) -> list[AlertRule]:
    policy = slo.budget
    if policy is None:
        return []
    alerts = []
    target = f"{format_number(slo.objective * 100)}% over {slo.window_text}"
    if policy.exhausted_severity:
        alerts.append(journey_alert(
            journey, name=policy.exhausted_alert, hold=_hold(slo, policy.exhausted_severity),
            severity=policy.exhausted_severity, kind=EXHAUSTED, stages=slo.stages, slo=slo.name,
            expr=exhausted_expr(journey, slo), summary=f"{journey.title}: {slo.title} has spent its error budget",
            description=(f"SLO {slo.title} ({target}) has {{{{ $value | humanizePercentage }}}} of its error budget "
                         f"left: the objective is missed for the window. Apply the budget policy (see the runbook)."),
        ))
    if policy.forecast_severity:
        alerts.append(journey_alert(
            journey, name=policy.forecast_alert, hold=_hold(slo, policy.forecast_severity),
            severity=policy.forecast_severity, kind=FORECAST, stages=slo.stages, slo=slo.name,
            expr=forecast_expr(journey, slo),
            summary=f"{journey.title}: {slo.title} will run out of error budget soon",
            description=(f"At the burn rate of the last {_window_text(slo)}, SLO {slo.title} ({target}) spends the "
                         f"error budget it has left in {{{{ $value | humanizeDuration }}}} (alert under "
                         f"{format_duration(policy.forecast_within)})."),
        ))
    return alerts
