"""Rule tests of custom alerts, from the input series their spec gives (spec.alerts[].test).

obsgen cannot know what raw PromQL does, so the author proves it: promtool runs the alerting rules on
the given series, and the alert must be firing at ``firesAt`` (with obsgen's labels and annotations and
the result labels the test names) and quiet at every ``quietAt``.
"""

from __future__ import annotations

from obsgen.artifacts.layout import TEST_FILE_SUFFIX, TESTS_DIR
from obsgen.artifacts.prometheus import ALERTING_FILE, AlertRule, rule_groups
from obsgen.artifacts.prometheus.custom_alerts import custom_alert
from obsgen.artifacts.ruletests.testfile import EVALUATION_INTERVAL, test_document
from obsgen.model import CustomAlert, Journey
from obsgen.promql import format_duration, parse_duration


def custom_alerts_path(journey: Journey) -> str:
    return f"{TESTS_DIR}/{journey.name}.custom-alerts{TEST_FILE_SUFFIX}"


def _group(alert: CustomAlert, rule: AlertRule) -> dict:
    test = alert.test
    quiet = [{"eval_time": format_duration(at), "alertname": alert.name, "exp_alerts": []} for at in test.quiet_at]
    labels = dict(test.labels) | dict(rule.labels)
    firing = {"eval_time": format_duration(test.fires_at), "alertname": alert.name,
              "exp_alerts": [{"exp_labels": labels, "exp_annotations": dict(rule.annotations)}]}
    return {
        "name": f"custom alert {alert.name}: the spec's input series",
        "interval": EVALUATION_INTERVAL,
        "input_series": [{"series": series, "values": values} for series, values in test.input_series],
        "alert_rule_test": sorted(quiet + [firing], key=lambda t: parse_duration(t["eval_time"])),
    }


def custom_alerts_document(journey: Journey) -> dict | None:
    """None when no custom alert comes with a test."""
    tested = [a for a in journey.custom_alerts if a.test is not None]
    if not tested:
        return None
    return test_document(rule_groups(journey), [ALERTING_FILE], [_group(a, custom_alert(journey, a)) for a in tested])
