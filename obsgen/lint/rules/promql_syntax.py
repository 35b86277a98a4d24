"""promql/syntax: the expression does not parse (Prometheus' own parser, via promtool).

Prometheus refuses to load a rule file with one broken expression, so a
single typo takes every rule in the file down.  The error is reported where
promtool found it inside the expression, mapped back to the file.
"""

from __future__ import annotations

from obsgen.lint.check import at
from obsgen.lint.finding import ERROR
from obsgen.lint.positions import Pos, line_col_to_offset

ID = "promql/syntax"
SEVERITY = ERROR
# The same check under the names other linters give it (docs/lint.md lists them).
KNOWN_AS = ("pint promql/syntax", "mixtool lint")
NEEDS_PROMTOOL = True


def check(ctx):
    for finding in ctx.promtool_findings or []:
        if not finding.is_parse_error:
            continue
        rule_file = ctx.file(finding.file)
        rule = rule_file.find_rule(finding.group, finding.rule_index, finding.rule_name) if rule_file else None
        if rule is None or rule.expr is None:
            yield at(finding.file, _promtool_pos(finding), ID, SEVERITY, finding.message)
            continue
        offset = line_col_to_offset(rule.expr, finding.expr_line, finding.expr_col)
        pos = rule.expr_pos(min(offset, max(len(rule.expr) - 1, 0)))
        yield at(rule.path, pos, ID, SEVERITY, f"{rule.kind} {rule.name!r}: {finding.message}")


def _promtool_pos(finding) -> Pos | None:
    return Pos(finding.line, finding.col) if finding.line else None
