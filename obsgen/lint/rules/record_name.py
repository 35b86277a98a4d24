"""record/name: recording rules are named ``level:metric:operations``.

The Prometheus naming practice (https://prometheus.io/docs/practices/rules/):
``level`` is the aggregation level and labels kept (``job``,
``instance_path``), ``metric`` the metric name, ``operations`` the
operations applied, newest first (``rate5m``, ``ratio_rate5m``).  The form
tells a reader what a series is without opening the rule file, and keeps
recorded series apart from raw ones.  Following the same practice the
``_total`` suffix is dropped from the metric once a rate is taken, since
the result is no longer a counter.
"""

from __future__ import annotations

import re

from obsgen.lint.check import at
from obsgen.lint.finding import WARNING

ID = "record/name"
SEVERITY = WARNING
# The same check under the names other linters give it (docs/lint.md lists them).
KNOWN_AS = ("pint rule/name (configured with this pattern)",)
_PART = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_RATE_OPERATION = re.compile(r"(^|_)(i?rate|increase)")


def check(ctx):
    for rule in ctx.recordings():
        problem = naming_problem(rule.name)
        if problem:
            yield at(rule.path, rule.value_pos("record"), ID, SEVERITY, f"recording rule {rule.name!r} {problem}")


def naming_problem(name: str) -> str | None:
    parts = name.split(":")
    if len(parts) != 3:
        return f"has {len(parts) - 1} colon(s); expected level:metric:operations (e.g. job:http_requests:rate5m)"
    level, metric, operations = parts
    for label, part in (("level", level), ("metric", metric), ("operations", operations)):
        if not _PART.match(part):
            return f"has an empty or invalid {label} part {part!r}; expected level:metric:operations"
    if metric.endswith("_total") and _RATE_OPERATION.search(operations):
        return f"keeps '_total' on a rate; name it {level}:{metric[: -len('_total')]}:{operations}"
    return None
