"""Rule tests for SLOs whose SLI is raw PromQL: their burn-rate alerts against recorded SLI series.

obsgen cannot simulate arbitrary PromQL, so it cannot say what an errorQuery/totalQuery records on
synthetic inputs. What it generated, and can prove, is the alerting on top: this test file loads only
the alerting rules (with the recording rules loaded too, they would write the same series) and gives
the recorded ratios slo:sli_error:ratio_rate<window> as input series, each the moving average of a
per-minute error ratio over its window. Scenarios and expectations are scenarios.py's and reference.py's.
"""

from __future__ import annotations

from obsgen.artifacts.layout import TEST_FILE_SUFFIX, TESTS_DIR
from obsgen.artifacts.prometheus import ALERTING_FILE, AlertRule, journey_alerts, rule_groups
from obsgen.artifacts.ruletests.scenarios import scenarios
from obsgen.artifacts.ruletests.testfile import scenario_group, test_document
from obsgen.model import Journey

WHY = ("Burn-rate alerts of raw-PromQL SLIs (sli.errorQuery/goodQuery + totalQuery). obsgen cannot simulate "
       "arbitrary PromQL, so these tests load only the alerting rules and give the recorded SLI series "
       "slo:sli_error:ratio_rate<window> as input series (moving averages of a per-minute error ratio).")


def recorded_sli_path(journey: Journey) -> str:
    return f"{TESTS_DIR}/{journey.name}.recorded-sli{TEST_FILE_SUFFIX}"


def query_slo_alerts(journey: Journey) -> list[AlertRule]:
    names = {slo.name for slo in journey.slos if slo.query is not None}
    return [a for a in journey_alerts(journey) if a.kind.startswith("burn-rate") and a.slo in names]


def recorded_sli_document(journey: Journey) -> dict | None:
    """None when no raw-PromQL SLO alerts."""
    alerts = query_slo_alerts(journey)
    if not alerts:
        return None
    return test_document(rule_groups(journey), [ALERTING_FILE],
                         [scenario_group(s) for s in scenarios(journey, alerts)])
