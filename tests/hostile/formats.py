"""What a payload may not do to each output format, judged against the same build without it.

Escaped text changes only text: so a build with payloads must have the same structure as the base
build in every format (YAML/JSON trees, template actions, Markdown elements, SVG elements, Mermaid
statements), and each file must still parse. A payload that became structure shows up as a difference.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

from tests.impact.helpers import check_mermaid
from tests.npm_cache import npm_prefix

COMMONMARK_VERSION = "0.31.2"  # as tests/impact/test_runbook_hints.py
# Prometheus and Alertmanager print these as the delimiters themselves (obsgen.artifacts.prometheus.alerts_common).
_LITERAL_DELIMITER = re.compile(r'\{\{ "(?:\{\{|\}\})" \}\}')
_TEMPLATE_ACTION = re.compile(r"\{\{.*?\}\}", re.S)


def files(directory: Path) -> dict[str, Path]:
    return {p.relative_to(directory).as_posix(): p for p in sorted(directory.rglob("*")) if p.is_file()}


def loaded(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    return list(yaml.safe_load_all(text))


def shape(value: Any) -> Any:
    """The tree without its text: keys, list lengths and scalar types."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__


def template_actions(value: Any, path: tuple = (), templated: bool = False) -> dict[tuple, list[str]]:
    """The Go template actions ({{ ... }}) of every templated string, by path: what Prometheus (an
    alerting rule's labels and annotations), Alertmanager (its whole configuration) or Grafana
    (legendFormat) would evaluate. Delimiters printed literally are not actions; elsewhere, as in
    PromQL string literals, braces are plain text."""
    if isinstance(value, dict):
        found = {}
        for key, item in value.items():
            inner = templated or key == "legendFormat" or ("alert" in value and key in ("labels", "annotations"))
            found.update(template_actions(item, path + (key,), inner))
        return found
    if isinstance(value, list):
        return {p: a for i, item in enumerate(value) for p, a in template_actions(item, path + (i,), templated).items()}
    if isinstance(value, str) and templated:
        actions = _TEMPLATE_ACTION.findall(_LITERAL_DELIMITER.sub("", value))
        return {path: actions} if actions else {}
    return {}


def structure_problems(base: Path, built: Path) -> list[str]:
    """Differences of structure between two builds' YAML, JSON, SVG and Mermaid files."""
    problems = []
    base_files, built_files = files(base), files(built)
    if sorted(base_files) != sorted(built_files):
        return [f"other files: {sorted(set(base_files) ^ set(built_files))}"]
    for name, path in built_files.items():
        problems += [f"{name}: {p}" for p in _file_problems(path, base_files[name])]
    return problems


def _file_problems(path: Path, base: Path) -> list[str]:
    if path.suffix in (".yaml", ".json"):
        try:
            data = loaded(path)
        except (yaml.YAMLError, json.JSONDecodeError) as error:
            return [f"does not parse: {error}"]
        reference = loaded(base)
        problems = [] if shape(data) == shape(reference) else ["its tree differs from the base build's"]
        whole = "alertmanager" in path.parts
        got, expected = template_actions(data, templated=whole), template_actions(reference, templated=whole)
        if got != expected:
            problems.append(f"template actions differ: {_differences(got, expected)}")
        return problems
    if path.suffix == ".svg":
        return _svg_problems(path, base)
    if path.suffix == ".mmd":
        text = path.read_text(encoding="utf-8")
        problems = check_mermaid(text)
        if _statements(text) != _statements(base.read_text(encoding="utf-8")):
            problems.append("its statements differ from the base build's")
        return problems
    return []


def _differences(got: dict, expected: dict) -> list:
    return [(p, got.get(p), expected.get(p)) for p in sorted(set(got) | set(expected), key=str)
            if got.get(p) != expected.get(p)][:3]


def _svg_problems(path: Path, base: Path) -> list[str]:
    try:
        root = ET.fromstring(path.read_text(encoding="utf-8"))
    except ET.ParseError as error:
        return [f"does not parse: {error}"]
    elements = Counter(e.tag for e in root.iter())
    return [] if elements == Counter(e.tag for e in ET.fromstring(base.read_text(encoding="utf-8")).iter()) else [
        "its elements differ from the base build's (a node, an edge or markup was injected)"]


def _statements(mermaid: str) -> list[str]:
    """Each statement's kind: node, edge, subgraph, end, class..."""
    kinds = []
    for line in mermaid.splitlines():
        line = line.strip()
        if line and not line.startswith("%%"):
            kinds.append("edge" if re.match(r"^\w+ (-->|-\.->) \w+$", line) else line.split()[0].split("[")[0].split("(")[0])
    return [k if k in ("edge", "subgraph", "end", "classDef", "class", "flowchart", "click", "style") else "node"
            for k in kinds]


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: Counter = Counter()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        self.hrefs += [value for name, value in attrs if name in ("href", "src")]


def html_elements(page: str) -> tuple[Counter, list[str]]:
    parser = _Elements()
    parser.feed(page)
    return parser.tags, parser.hrefs


def render_markdown(pages: list[str], tmp_path: Path) -> list[str]:
    """HTML of each Markdown page, by the CommonMark reference implementation (one node process)."""
    prefix = npm_prefix(f"commonmark-{COMMONMARK_VERSION}", [f"commonmark@{COMMONMARK_VERSION}"],
                        "to render runbooks with the CommonMark reference implementation")
    script = prefix / "commonmark_batch.js"
    shutil.copy(Path(__file__).with_name("commonmark_batch.js"), script)
    result = subprocess.run(["node", str(script)], input=json.dumps(pages), capture_output=True, text=True,
                            timeout=300, cwd=prefix, env={"NODE_PATH": str(prefix / "node_modules"), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def markdown_problems(rendered: str, base: str, commands: set[str]) -> list[str]:
    """The page has the base page's elements and links; its shell blocks hold only the spec's own commands."""
    tags, hrefs = html_elements(rendered)
    base_tags, base_hrefs = html_elements(base)
    problems = [] if tags == base_tags else [f"elements differ: {(tags - base_tags) + (base_tags - tags)}"]
    if sorted(hrefs) != sorted(base_hrefs):
        problems.append(f"links differ: {sorted(set(hrefs) ^ set(base_hrefs))[:3]}")
    for block in re.findall(r'<pre><code class="language-sh">(.*?)</code></pre>', rendered, re.S):
        foreign = [line for line in html.unescape(block).splitlines() if line not in commands]
        if foreign:
            problems.append(f"shell lines that are not the spec's commands: {foreign}")
    return problems
