"""Semantic diffs of rules and dashboards, for review: which alert changed which threshold,
which panel changed which query. One changed rule or panel is one line."""

from obsgen.diff.report import DiffReport, diff_inputs

__all__ = ["DiffReport", "diff_inputs"]
