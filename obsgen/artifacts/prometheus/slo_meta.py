"""SLO metadata recording rules, so dashboards and alerts read cheap, precomputed series."""

from __future__ import annotations

from obsgen.artifacts.prometheus.sli import sli_record_name, slo_labels, slo_selector
from obsgen.artifacts.prometheus.types import RecordingRule
from obsgen.model import Journey, Slo
from obsgen.promql import format_number

OBJECTIVE = "slo:objective:ratio"
ERROR_BUDGET = "slo:error_budget:ratio"
TIME_PERIOD_DAYS = "slo:time_period:days"
CURRENT_BURN_RATE = "slo:current_burn_rate:ratio"
PERIOD_BURN_RATE = "slo:period_burn_rate:ratio"
BUDGET_REMAINING = "slo:period_error_budget_remaining:ratio"
BURN_RATE_THRESHOLD = "slo:burn_rate_threshold:ratio"


def slo_meta_rules(journey: Journey, slo: Slo) -> list[RecordingRule]:
    labels = slo_labels(journey, slo)
    sel = slo_selector(journey, slo)
    # The budget is one series; each dimension value's SLI series divides by it.
    join = "on (journey, slo) group_left" if journey.dims else "on (journey, slo)"
    rules = [
        RecordingRule(OBJECTIVE, f"vector({format_number(slo.objective)})", labels),
        RecordingRule(ERROR_BUDGET, f"vector({format_number(slo.error_budget)})", labels),
        RecordingRule(TIME_PERIOD_DAYS, f"vector({format_number(slo.window / 86400)})", labels),
        RecordingRule(CURRENT_BURN_RATE, f"{sli_record_name(300)}{sel}\n/ {join}\n{ERROR_BUDGET}{sel}", labels),
        RecordingRule(PERIOD_BURN_RATE, f"{sli_record_name(slo.window)}{sel}\n/ {join}\n{ERROR_BUDGET}{sel}", labels),
        RecordingRule(BUDGET_REMAINING, f"1 - {PERIOD_BURN_RATE}{sel}", labels),
    ]
    # One series per alert threshold, so burn-rate panels can draw the lines the alerts use.
    for burn in sorted({(b.factor, b.severity) for b in slo.burn_rates}):
        factor, severity = burn
        rules.append(RecordingRule(
            BURN_RATE_THRESHOLD,
            f"vector({format_number(factor)})",
            labels + (("severity", severity), ("factor", format_number(factor))),
        ))
    return rules
