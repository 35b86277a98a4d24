"""SARIF 2.1.0, the format GitHub code scanning (and most CI dashboards) import.

One run, one tool: ``tool.driver.rules`` lists every check, whether it found
something or not, so a result's ``ruleIndex`` is stable across runs and code
scanning can show each check's description beside its alerts.  Artifact URIs
are relative to the current directory (the checkout, in CI) and anchored on
``%SRCROOT%``, the base id code scanning resolves against the repository.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from obsgen import __version__
from obsgen.lint.check import Check
from obsgen.lint.finding import ERROR, INFO, NOTE, PARSE_CHECK_ID, WARNING, Finding

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
_LEVEL = {ERROR: "error", WARNING: "warning", INFO: "note", NOTE: "note"}
_PARSE_RULE = {"id": PARSE_CHECK_ID, "shortDescription": {"text": "the file cannot be read or parsed"}}


def render_sarif(findings: Sequence[Finding], checks: Sequence[Check]) -> str:
    rules = [_rule(check) for check in checks] + [_PARSE_RULE]
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    run = {
        "tool": {"driver": {"name": "obsgen lint", "version": __version__, "rules": rules}},
        "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().as_uri() + "/"}},
        "results": [_result(finding, index) for finding in findings],
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, sort_keys=True) + "\n"


def _rule(check: Check) -> dict:
    return {
        "id": check.id,
        "shortDescription": {"text": check.summary},
        "fullDescription": {"text": check.doc},
        "help": {"text": f"{check.summary} See {check.help_ref} in obsgen's repository."},
        "defaultConfiguration": {"level": _LEVEL[check.severity]},
    }


def _result(finding: Finding, rule_index: dict[str, int]) -> dict:
    message = finding.message + (f" ({finding.json_path})" if finding.json_path else "")
    return {
        "ruleId": finding.check,
        "ruleIndex": rule_index[finding.check],
        "level": _LEVEL[finding.severity],
        "message": {"text": message},
        "locations": [{"physicalLocation": _physical_location(finding)}],
    }


def _physical_location(finding: Finding) -> dict:
    location: dict = {"artifactLocation": artifact_location(finding.path)}
    if finding.line is not None:
        region = {"startLine": finding.line}
        if finding.col is not None:
            region["startColumn"] = finding.col
        location["region"] = region
    return location


def artifact_location(path: str) -> dict:
    """Relative to the current directory when under it (what code scanning maps onto the repository)."""
    absolute = Path(path).absolute()
    try:
        relative = absolute.relative_to(Path.cwd())
    except ValueError:
        return {"uri": absolute.as_uri()}
    return {"uri": relative.as_posix(), "uriBaseId": SRCROOT}
