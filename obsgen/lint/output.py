"""Render findings as text (humans), JSON (tools), GitHub workflow annotations (PR diffs),
SARIF (code scanning) or checkstyle XML (Jenkins, GitLab, reviewdog)."""

from __future__ import annotations

import json
from typing import Sequence

from obsgen.lint.finding import ERROR, INFO, NOTE, WARNING, Finding
from obsgen.lint.output_checkstyle import render_checkstyle
from obsgen.lint.output_sarif import render_sarif
from obsgen.lint.runner import ALL_CHECKS

FORMATS = ("text", "json", "github", "sarif", "checkstyle")
_GITHUB_LEVEL = {ERROR: "error", WARNING: "warning", INFO: "notice", NOTE: "notice"}


def render(findings: Sequence[Finding], output_format: str) -> str:
    if output_format == "json":
        return json.dumps([f.as_dict() for f in findings], indent=2, sort_keys=True) + "\n"
    if output_format == "sarif":
        return render_sarif(findings, ALL_CHECKS)
    if output_format == "checkstyle":
        return render_checkstyle(findings)
    render_one = {"text": text_line, "github": github_line}[output_format]
    return "".join(render_one(f) + "\n" for f in findings)


def text_line(finding: Finding) -> str:
    """``file:line:col: severity: check-id: message`` — the compiler format editors jump to."""
    place = ":".join(str(part) for part in (finding.path, finding.line, finding.col) if part is not None)
    where = f" ({finding.json_path})" if finding.json_path else ""
    return f"{place}: {finding.severity}: {finding.check}: {finding.message}{where}"


def github_line(finding: Finding) -> str:
    """A workflow command; GitHub shows it on the file's line in the PR diff."""
    properties = [f"file={_escape_property(finding.path)}"]
    if finding.line is not None:
        properties.append(f"line={finding.line}")
    if finding.col is not None:
        properties.append(f"col={finding.col}")
    properties.append(f"title={_escape_property(finding.check)}")
    message = finding.message + (f" ({finding.json_path})" if finding.json_path else "")
    return f"::{_GITHUB_LEVEL[finding.severity]} {','.join(properties)}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
