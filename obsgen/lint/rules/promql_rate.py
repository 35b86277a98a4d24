"""promql/rate: ``rate()``, ``irate()`` and ``increase()`` only make sense on counters.

On a gauge they treat every decrease as a counter reset and return
nonsense.  A rule file carries no types and names are only a convention
(``kafka_consumergroup_lag_sum`` is a gauge, old clients export counters
without ``_total``), so the check judges a raw metric by its declared type:
from the spec during ``obsgen build``, from Prometheus' metric metadata with
``obsgen lint --prometheus URL``:

* a metric declared a gauge (or a summary's quantiles) is a warning;
* a metric nobody declared is a note (which fails nothing) when its name
  does not suggest a counter either, and passes silently when it does;
* a recorded series (name with ``:``) that a rule in the linted files
  records from ``rate()``/``irate()``/``increase()`` is a warning (rate of a
  rate); one recorded elsewhere whose operations part reads like a rate or
  ratio (``rate5m``, ``ratio``, ``p95``…) is a note.
"""

from __future__ import annotations

import re

from obsgen.lint.check import at
from obsgen.lint.finding import NOTE, WARNING
from obsgen.lint.metric_types import GAUGE, MetricTypes
from obsgen.promql import analysis

ID = "promql/rate"
SEVERITY = WARNING
# The same check under the names other linters give it (docs/lint.md lists them).
KNOWN_AS = ("pint promql/rate (its counter half)",)
_ALREADY_RATE = re.compile(r"(^|_)(i?rate|ratio|increase|avg|mean|quantile|percent|p\d{2})", re.IGNORECASE)


def check(ctx):
    for rule in ctx.rules():
        ast = analysis.parse(rule.expr) if rule.expr else None
        if ast is None:
            continue
        for function, matrix in analysis.rate_calls(ast):
            name = analysis.selector_name(matrix.vector_selector)
            verdict = not_a_counter(name, ctx.recorded_exprs, ctx.metric_types) if name else None
            if verdict:
                severity, reason = verdict
                pos = rule.expr_pos(analysis.find_name_offset(rule.expr, name))
                yield at(rule.path, pos, ID, severity, f"{function}() over {name!r}, {reason}")


def not_a_counter(name: str, recorded_exprs: dict[str, list[str]], types: MetricTypes) -> tuple[str, str] | None:
    """(severity, why) when ``name`` is, or may be, something other than a counter; None when fine."""
    if ":" not in name:
        return _raw_metric(name, types)
    if any(_records_a_rate(expr) for expr in recorded_exprs.get(name, [])):
        return WARNING, "a recorded series computed with rate()/irate()/increase() (rate of a rate)"
    operations = name.rsplit(":", 1)[-1]
    if name not in recorded_exprs and _ALREADY_RATE.search(operations):
        return NOTE, (f"a recorded series whose name reads like a rate/ratio ({operations!r}); "
                      "its rule is not among the linted files, so this cannot be checked")
    return None


def _raw_metric(name: str, types: MetricTypes) -> tuple[str, str] | None:
    kind = types.series_kind(name)
    if kind == GAUGE:
        return WARNING, f"which {types.source} declares a gauge"
    if kind is None and not analysis.named_like_counter(name):
        return NOTE, f"which may not be a counter: {types.unknown_reason()}"
    return None


def _records_a_rate(expr: str) -> bool:
    ast = analysis.parse(expr)
    return ast is not None and any(True for _ in analysis.rate_calls(ast))
