"""One ``promtool check rules`` run over every linted rule file, whatever its flavour.

Plain rule files go to promtool as they are.  For the others promtool reads
a copy per group list with the wrapper blanked out (``flavours.promtool_body``),
and its findings are handed back under the user's path: the copy keeps every
line and column, so its positions are the user's.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from obsgen.lint.flavours import promtool_body
from obsgen.lint.rulefile import RuleFile
from obsgen.tools import promtool


def check_rule_files(rule_files: list[RuleFile]) -> list[promtool.Finding]:
    with tempfile.TemporaryDirectory(prefix="obsgen-lint-") as tmp:
        original_of: dict[str, str] = {}
        for rule_file in rule_files:
            if rule_file.is_plain:
                original_of[rule_file.path] = rule_file.path
                continue
            for group_list in rule_file.group_lists:
                body = Path(tmp) / f"{len(original_of)}.yaml"
                body.write_text(promtool_body(rule_file.source_lines, group_list), encoding="utf-8")
                original_of[str(body)] = rule_file.path
        findings = promtool.check_rules(list(original_of)) if original_of else []
    return [replace(finding, file=original_of.get(finding.file, finding.file)) for finding in findings]
