"""promtool/rules: everything else ``promtool check rules`` rejects.

Unknown fields, invalid rule or label names, broken annotation templates,
repeated group names: Prometheus would refuse to load the file.  promtool is
the reference, so its verdict is taken as-is; positions come from promtool
when it gives them, else from the rule it names.
"""

from __future__ import annotations

import re

from obsgen.lint.check import at
from obsgen.lint.finding import ERROR
from obsgen.lint.positions import Pos

ID = "promtool/rules"
SEVERITY = ERROR
# The same check under the names other linters give it (docs/lint.md lists them).
KNOWN_AS = ("mixtool lint (its Prometheus rule parser)",)
NEEDS_PROMTOOL = True


def check(ctx):
    for finding in ctx.promtool_findings or []:
        if finding.is_parse_error:
            continue  # promql/syntax reports these
        yield at(finding.file, _position(ctx, finding), ID, SEVERITY, _message(finding))


# promtool 2.x gives this one a position, 3.x "0:0".
_REPEATED_GROUP = re.compile(r'^groupname: "((?:[^"\\]|\\.)*)" is repeated in the same file$')


def _position(ctx, finding) -> Pos | None:
    if finding.line:
        return Pos(finding.line, finding.col)
    rule_file = ctx.file(finding.file)
    if rule_file is None:
        return None
    if repeated := _REPEATED_GROUP.match(finding.message):
        return rule_file.repeated_group_pos(repeated.group(1))
    rule = rule_file.find_rule(finding.group, finding.rule_index, finding.rule_name)
    return rule.pos if rule else None


def _message(finding) -> str:
    if finding.rule_name is not None:
        return f"group {finding.group!r}, rule {finding.rule_name!r}: {finding.message}"
    return finding.message
