"""Checkstyle XML, the lint report Jenkins (warnings-ng), GitLab and reviewdog read.

Built with ``xml.etree`` so messages, paths and check ids are escaped
whatever they hold.  Files appear in finding order (already sorted by path).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby
from typing import Sequence

from obsgen.lint.finding import ERROR, INFO, NOTE, WARNING, Finding

# The version of the checkstyle report format the consumers expect; any 4.x+ reads the same.
CHECKSTYLE_VERSION = "4.3"
_SEVERITY = {ERROR: "error", WARNING: "warning", INFO: "info", NOTE: "info"}


def render_checkstyle(findings: Sequence[Finding]) -> str:
    root = ET.Element("checkstyle", version=CHECKSTYLE_VERSION)
    for path, in_file in groupby(findings, key=lambda finding: finding.path):
        file_element = ET.SubElement(root, "file", name=path)
        for finding in in_file:
            ET.SubElement(file_element, "error", _attributes(finding))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _attributes(finding: Finding) -> dict[str, str]:
    attributes = {"line": str(finding.line or 0)}  # checkstyle's schema requires a line; 0 means the file
    if finding.col is not None:
        attributes["column"] = str(finding.col)
    message = finding.message + (f" ({finding.json_path})" if finding.json_path else "")
    attributes.update(severity=_SEVERITY[finding.severity], message=message, source=finding.check)
    return attributes
