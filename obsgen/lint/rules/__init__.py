"""Rule-file checks, one module each (see each module's docstring for the why)."""

from obsgen.lint.check import from_modules
from obsgen.lint.rules import (alerts_annotations, alerts_burn_rate_window, alerts_for, alerts_labels, promql_range,
                               promql_rate, promql_syntax, promtool_rules, record_name, rules_duplicate)

RULE_CHECKS = from_modules(
    [
        promtool_rules,
        promql_syntax,
        alerts_for,
        alerts_burn_rate_window,
        alerts_labels,
        alerts_annotations,
        record_name,
        promql_rate,
        promql_range,
        rules_duplicate,
    ]
)
