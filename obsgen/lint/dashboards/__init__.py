"""Grafana dashboard checks, one module each (see each module's docstring for the why)."""

from obsgen.lint.check import from_modules
from obsgen.lint.dashboards import (counter_rate, datasource, panel_description, panel_id, panel_title, promql_syntax,
                                    rate_interval, uid, unit)

DASHBOARD_CHECKS = from_modules(
    [uid, panel_id, panel_title, panel_description, unit, datasource, promql_syntax, rate_interval, counter_rate]
)
