"""`obsgen verify`: prove a spec's generated rules, dashboard and Alertmanager config on a live stack.

Every metric and label they read exists in what Prometheus scrapes, every generated rule group is
loaded and evaluates without errors, every dashboard query returns data, and what each costs.
"""

from obsgen.verify.report import VerifyReport, render_json, render_table
from obsgen.verify.run import DEFAULT_WINDOW_SECONDS, verify

__all__ = ["DEFAULT_WINDOW_SECONDS", "VerifyReport", "render_json", "render_table", "verify"]
