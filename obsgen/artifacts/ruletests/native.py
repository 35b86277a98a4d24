"""Native histograms (Prometheus 3) are not simulated by the rule tests yet.

The generated rules over them are checked statically (promtool check rules, the lint), but the
synthetic world writes classic series only, so every alert and recording rule that reads a native
histogram is left out of the promtool unit tests, and the test file says which in its header.
"""

from __future__ import annotations

from obsgen.artifacts.prometheus import AlertRule, RecordingRule
from obsgen.artifacts.prometheus.dashboard_series import QUANTILES, STAGE_LATENCY, quantile_name
from obsgen.artifacts.ruletests.reference import absent_selector
from obsgen.model import Journey, Slo, SloType


def native_stages(journey: Journey) -> set[str]:
    return {s.name for s in journey.stages if s.latency is not None and s.latency.native}


def slo_reads_native(journey: Journey, slo: Slo) -> bool:
    if slo.type == SloType.JOURNEY_TIME:
        return journey.journey_time is not None and journey.journey_time.native
    return slo.type == SloType.LATENCY and bool(set(slo.stages) & native_stages(journey))


def _native_counts(journey: Journey) -> list:
    found = [s.latency.count for s in journey.stages if s.latency is not None and s.latency.native]
    if journey.journey_time is not None and journey.journey_time.native:
        found.append(journey.journey_time.count)
    return found


def alert_reads_native(journey: Journey, alert: AlertRule) -> bool:
    if alert.slo is not None:
        return any(slo_reads_native(journey, s) for s in journey.slos if s.name == alert.slo)
    if alert.kind == "latency":
        return alert.stages[0] in native_stages(journey)
    if alert.kind == "absent":
        return absent_selector(journey, alert) in _native_counts(journey)
    return False


def recording_reads_native(journey: Journey, rule: RecordingRule) -> bool:
    labels = dict(rule.labels)
    if "slo" in labels:
        return any(slo_reads_native(journey, s) for s in journey.slos if s.name == labels["slo"])
    native_quantiles = {quantile_name(STAGE_LATENCY, q) for q in QUANTILES}
    return labels.get("stage") in native_stages(journey) and rule.record in native_quantiles


def untested_note(journey: Journey) -> list[str]:
    """Header lines for the test file naming what is not unit-tested, or none."""
    stages = sorted(native_stages(journey))
    if journey.journey_time is not None and journey.journey_time.native:
        stages.append("the journey-time histogram")
    if not stages:
        return []
    return [f"NOT UNIT-TESTED: {', '.join(stages)} (native histograms, which the rule-test generator does",
            "not simulate yet). Their latency SLIs, quantiles and alerts are checked by `promtool check rules`",
            "and the lint only; every other rule is proven below."]
