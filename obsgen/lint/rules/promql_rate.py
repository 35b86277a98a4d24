"""promql/rate: ``rate()``, ``irate()`` and ``increase()`` only make sense on counters.

On a gauge they treat every decrease as a counter reset and return
nonsense.  There is no type information in a rule file, so the check goes by
name, following the Prometheus naming conventions:

* a raw metric is a counter when its name ends in ``_total``, ``_count``,
  ``_sum`` or ``_bucket`` (histogram/summary series are counters too);
  anything else (``_seconds``, ``_bytes``, ``queue_depth``) is flagged;
* a recorded series (name with ``:``) is flagged when its operations part
  says it is already a rate or ratio (``rate5m``, ``ratio``, ``increase1h``,
  ``avg``, ``quantile``, ``p95``…) or when a rule in the linted files
  records it from ``rate()``/``irate()``/``increase()`` — rate of a rate;
  other recorded series are not judged (their type is unknown).

Counters exported without the ``_total`` suffix (old client libraries) are
false positives: disable the check for those files.
"""

from __future__ import annotations

import re

from obsgen.lint import promql
from obsgen.lint.check import at
from obsgen.lint.finding import WARNING

ID = "promql/rate"
SEVERITY = WARNING
_ALREADY_RATE = re.compile(r"(^|_)(i?rate|ratio|increase|avg|mean|quantile|percent|p\d{2})", re.IGNORECASE)


def check(ctx):
    for rule in ctx.rules():
        ast = promql.parse(rule.expr) if rule.expr else None
        if ast is None:
            continue
        for function, matrix in promql.rate_calls(ast):
            name = promql.selector_name(matrix.vector_selector)
            reason = not_a_counter(name, ctx.recorded_exprs) if name else None
            if reason:
                pos = rule.expr_pos(promql.find_name_offset(rule.expr, name))
                yield at(rule.path, pos, ID, SEVERITY, f"{function}() over {name!r}, {reason}")


def not_a_counter(name: str, recorded_exprs: dict[str, list[str]]) -> str | None:
    """Why ``name`` looks like something other than a counter, or None when it may be one."""
    if ":" not in name:
        if promql.is_counter_name(name):
            return None
        return "which does not look like a counter (no _total/_count/_sum/_bucket suffix)"
    operations = name.rsplit(":", 1)[-1]
    if _ALREADY_RATE.search(operations):
        return f"a recorded series whose name says it is already a rate/ratio ({operations!r})"
    if any(_records_a_rate(expr) for expr in recorded_exprs.get(name, [])):
        return "a recorded series computed with rate()/irate()/increase() (rate of a rate)"
    return None


def _records_a_rate(expr: str) -> bool:
    ast = promql.parse(expr)
    return ast is not None and any(True for _ in promql.rate_calls(ast))
