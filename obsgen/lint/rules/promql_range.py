"""promql/range: a ``[range]`` shorter than 4× the scrape interval is fragile.

``rate()`` needs at least two samples in the window; with one missed scrape a
window of 2× the interval holds a single sample and the series vanishes.
4× (the usual Prometheus/Grafana guidance) survives a missed scrape and
scrape jitter.  The same goes for ``*_over_time`` windows and for subquery
ranges (``(…)[1m:15s]``).  Set the interval with ``--scrape-interval``
(default 15s, so the shortest accepted range is 1m).
"""

from __future__ import annotations

from obsgen.lint.check import at
from obsgen.lint.finding import WARNING
from obsgen.promql import analysis

ID = "promql/range"
SEVERITY = WARNING
# The same check under the names other linters give it (docs/lint.md lists them).
KNOWN_AS = ("pint promql/rate (its range half)",)
FACTOR = 4


def check(ctx):
    minimum = ctx.scrape_interval * FACTOR
    for rule in ctx.rules():
        ast = analysis.parse(rule.expr) if rule.expr else None
        if ast is None:
            continue
        reported = set()
        for kind, duration in analysis.ranges(ast):
            if duration >= minimum or duration in reported:
                continue
            reported.add(duration)
            pos = rule.expr_pos(analysis.find_range_offset(rule.expr, duration))
            message = (
                f"{kind} range [{analysis.show_duration(duration)}] is shorter than {FACTOR}x the scrape interval "
                f"({analysis.show_duration(ctx.scrape_interval)}); use at least [{analysis.show_duration(minimum)}]"
            )
            yield at(rule.path, pos, ID, SEVERITY, message)
