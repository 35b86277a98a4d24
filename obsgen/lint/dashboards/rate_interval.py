"""dashboard/rate-interval: ``rate()``/``irate()``/``increase()`` windows use ``$__rate_interval``.

A fixed ``[5m]`` is too short when the dashboard is zoomed out (samples are
skipped between steps, spikes vanish) and too long when zoomed in; with
``$__interval`` the window can drop below two scrapes and the graph goes
blank.  ``$__rate_interval`` is max(4 × scrape interval, step + scrape
interval), which is right at every zoom level.
"""

from __future__ import annotations

from obsgen.lint.dashboards.context import finding
from obsgen.lint.dashboards.variables import describe_duration, sentinel
from obsgen.lint.finding import WARNING
from obsgen.promql import analysis

ID = "dashboard/rate-interval"
SEVERITY = WARNING
# The same check under the names other linters give it (docs/lint.md lists them).
KNOWN_AS = ("dashboard-linter target-rate-interval-rule",)


def check(ctx):
    wanted = sentinel("__rate_interval")
    for item in ctx.promql_targets:
        if item.ast is None:
            continue
        windows = sorted({describe_duration(m.range) for fn, m in analysis.rate_calls(item.ast) if m.range != wanted})
        for window in windows:
            message = f"rate window [{window}] is fixed; use [$__rate_interval]"
            yield finding(item.dashboard, item.target.expr_path, ID, SEVERITY, message)
