"""docs/lint.md lists every check (generated from the checks) and every SARIF help anchor exists."""

from __future__ import annotations

import re
from pathlib import Path

from obsgen.lint import ALL_CHECKS
from obsgen.lint.check import heading_anchor
from obsgen.lint.reference import BEGIN, END, checks_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs" / "lint.md"


def test_docs_check_reference_is_the_generated_one():
    text = DOCS.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END) + 1
    assert text[start:end] == checks_markdown(), "run: python -m obsgen.lint.reference, paste into docs/lint.md"


def test_every_check_has_a_heading_its_help_points_at():
    anchors = {heading_anchor(h) for h in re.findall(r"^#+ (.+)$", DOCS.read_text(encoding="utf-8"), re.M)}
    for check in ALL_CHECKS:
        assert check.help_ref == ("docs/lint.md#" + heading_anchor(check.id))
        assert heading_anchor(check.id) in anchors, check.id


def test_heading_anchor_follows_githubs_rule():
    assert heading_anchor("dashboard/panel-id") == "dashboardpanel-id"
    assert heading_anchor("Exit codes and `--fail-on`") == "exit-codes-and---fail-on"
