"""lint/suppression: inline suppressions in rule files, and the problems with them.

A finding someone has judged acceptable for one rule is silenced where the
rule is, so the reason sits beside it in review::

    # obsgen lint disable=alerts/for,alerts/labels
    - alert: Watchdog

on the line(s) of comments right above a rule, or at the end of its
``- alert:``/``- record:`` line; ``# obsgen lint disable-file=check-id``
anywhere in the file silences the check for the whole file.  A suppression
naming an unknown check id is a warning (it silences nothing, and a typo
should not look like a fix); one that silences nothing is a note, so stale
suppressions can be found and removed.
"""

from __future__ import annotations

import inspect
import re
import sys
from dataclasses import dataclass
from typing import Iterable, Sequence

from obsgen.lint.check import Check
from obsgen.lint.finding import NOTE, WARNING, Finding
from obsgen.lint.rulefile import Rule, RuleFile

ID = "lint/suppression"
SEVERITY = WARNING
_DIRECTIVE = re.compile(r"(?:^|\s)#\s*obsgen\s+lint\s+(disable|disable-file)\s*=\s*([\w/\-]+(?:\s*,\s*[\w/\-]+)*)")
_ID = re.compile(r"[\w/\-]+")
NO_RULE = (0, 0)  # the span of a rule-level directive with no rule right below it: covers no line


@dataclass(frozen=True)
class Suppression:
    path: str
    line: int  # 1-based, of the directive
    col: int  # 1-based, of the check id
    check: str
    rule_lines: tuple[int, int] | None  # 1-based first and last line of its rule; None for the whole file

    def covers(self, finding: Finding) -> bool:
        if finding.check != self.check or finding.path != self.path:
            return False
        if self.rule_lines is None:
            return True
        first, last = self.rule_lines
        return finding.line is not None and first <= finding.line <= last


def apply(
    files: Sequence[RuleFile], findings: Iterable[Finding], known: set[str], enabled: set[str]
) -> list[Finding]:
    """``findings`` minus the suppressed ones, plus the findings about the suppressions themselves."""
    suppressions = [s for rule_file in files for s in suppressions_in(rule_file)]
    used: set[Suppression] = set()
    kept = []
    for finding in findings:
        covering = [s for s in suppressions if s.check in known and s.covers(finding)]
        used.update(covering)
        if not covering:
            kept.append(finding)
    return kept + list(_problems(suppressions, used, known, enabled))


def _problems(suppressions, used, known: set[str], enabled: set[str]):
    for s in suppressions:
        if s.check not in known:
            message = f"unknown check id {s.check!r} in suppression; see `obsgen lint --list-checks`"
            yield Finding(s.path, s.line, s.col, ID, SEVERITY, message)
        elif s not in used and s.check in enabled:
            yield Finding(s.path, s.line, s.col, ID, NOTE, f"suppression of {s.check!r} silences nothing {_where(s)}")


def _where(suppression: Suppression) -> str:
    if suppression.rule_lines is None:
        return "in this file"
    if suppression.rule_lines == NO_RULE:
        return "(no rule starts right below it or on its line; disable-file= covers the whole file)"
    return "on this rule"


def suppressions_in(rule_file: RuleFile) -> list[Suppression]:
    starts = {rule.node.start_mark.line: rule for rule in rule_file.rules}
    found = []
    for index, text in enumerate(rule_file.source_lines):
        directive = _DIRECTIVE.search(text)
        if directive is None:
            continue
        rule_lines = None
        if directive.group(1) == "disable":
            rule = _rule_for(index, rule_file.source_lines, starts)
            rule_lines = _rule_lines(rule) if rule else NO_RULE
        for check in _ID.finditer(directive.group(2)):
            found.append(Suppression(rule_file.path, index + 1, directive.start(2) + check.start() + 1,
                                     check.group(), rule_lines))
    return found


def _rule_for(index: int, lines: list[str], starts: dict[int, Rule]) -> Rule | None:
    """The rule starting on line ``index`` or right below the comment block that line is in."""
    if index in starts:
        return starts[index]
    below = index + 1
    while below < len(lines) and lines[below].lstrip().startswith("#"):
        below += 1
    return starts.get(below) if lines[index].lstrip().startswith("#") else None


def _rule_lines(rule: Rule) -> tuple[int, int]:
    """1-based first and last line of the rule's text."""
    end = rule.node.end_mark
    line_text = rule.source_lines[end.line] if end.line < len(rule.source_lines) else ""
    last = end.line if line_text[: end.column].strip() else end.line - 1
    return rule.node.start_mark.line + 1, max(last + 1, rule.node.start_mark.line + 1)


SUPPRESSION_CHECK = Check(ID, SEVERITY, inspect.getdoc(sys.modules[__name__]) or "", apply,
                          known_as=("pint pint/comment",))
