"""Run promtool over the Prometheus rule bodies wrapped inside target-specific files.

Every engine here (Prometheus, prometheus-operator, Mimir/Cortex, Thanos) parses the rule body
with Prometheus' rulefmt, so promtool is the right judge of the body once the wrapper is peeled off.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from obsgen import yamlio
from obsgen.tools import promtool


def check_bodies(bodies: dict[str, dict]) -> list[str]:
    """bodies maps a name to show in messages to a `{"groups": [...]}` document; one promtool run."""
    if not bodies:
        return []
    with tempfile.TemporaryDirectory(prefix="obsgen-target-rules-") as tmp:
        shown_by_file: dict[str, str] = {}
        for index, (shown, body) in enumerate(sorted(bodies.items())):
            path = Path(tmp) / f"{index}.rules.yaml"
            path.write_text(yamlio.dump(body), encoding="utf-8")
            shown_by_file[str(path)] = shown
        findings = promtool.check_rules(list(shown_by_file))
    return [f"promtool check rules: {shown_by_file.get(f.file, f.file)}: {_where(f)}{f.message}" for f in findings]


def _where(finding: promtool.Finding) -> str:
    if finding.group is not None and finding.rule_name:
        return f"group {finding.group!r}, rule {finding.rule_name!r}: "
    return ""
