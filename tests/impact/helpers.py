"""Small specs and runners shared by the impact tests."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

from obsgen.build.load import parse_journey
from obsgen.model import Journey
from tests.conftest import ROOT

SVG_NS = "{http://www.w3.org/2000/svg}"

# The guide's hand-written analyze_dependency_impact() map (docs/reference-store.md).
SEED_MAP = {
    "database": ["checkout", "product_browse", "order_history"],
    "rabbitmq": ["order_processing", "email_notifications"],
    "payment_gateway": ["checkout", "refunds"],
}
# The stages the seed's map gives each dependency; specs/purchase.yaml lists more, because the
# drills on the reference store found them (its comment says which and why).
SEED_STAGES = {"database": ["browse", "checkout"], "rabbitmq": ["order_processing", "email"]}
# What specs/purchase.yaml says, beyond the seed's features.
DRILL_FOUND = {
    "database": ["order_processing", "email_notifications"],
    "rabbitmq": ["checkout"],
    "payment_gateway": [],
}


def seed_spec_text() -> str:
    """specs/purchase.yaml with the seed's own dependency map, to show the format expresses it."""
    import yaml

    spec = yaml.safe_load((ROOT / "specs" / "purchase.yaml").read_text())
    for dependency in spec["spec"]["dependencies"]:
        dependency["stages"] = SEED_STAGES.get(dependency["name"], dependency["stages"])
    return yaml.safe_dump(spec, sort_keys=False)

# A journey with a chain of dependencies: disk <- db <- api-backend, plus a user-facing-only stage.
CHAIN_SPEC = textwrap.dedent("""\
    apiVersion: obsgen/v1
    kind: Journey
    metadata:
      name: shop
      service: shop
      team: web
      runbookBaseUrl: https://example.invalid/runbooks
    spec:
      stages:
        - {name: browse, profile: http, match: {job: api, handler: /items}}
        - {name: pay, profile: http, match: {job: api, handler: /pay}}
        - {name: ship, profile: celery, match: {job: worker, task: ship}}
      journeyTime: {histogram: shop_journey_seconds, buckets: [1, 5, 10]}
      slos:
        - {name: pay-ok, type: availability, stages: [pay], objective: 99.9}
        - {name: browse-ok, type: availability, stages: [browse], objective: 99.9}
        - {name: done-in-time, type: journey-time, threshold: 5s, objective: 95}
      dependencies:
        - name: disk
          kind: other
          health: {metric: disk_ok}
        - name: db
          kind: postgresql
          health: {profile: postgresql}
          stages: [pay]
          dependsOn: [disk]
        - name: api-backend
          kind: service
          health: {profile: scrape, match: {job: backend}}
          stages: [ship]
          features: [tracking]
          dependsOn: [db]
        - name: cdn
          kind: http
          health: {profile: scrape, match: {job: cdn}}
          stages: [browse]
      business:
        - {name: payments, metric: payments_total, stage: pay}
        - {name: shipments, metric: shipments_total, stage: ship}
        - {name: visits, metric: visits_total}
    """)


def chain_journey() -> Journey:
    return parse_journey(CHAIN_SPEC, "shop.yaml")


def obsgen(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """The real command line, in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "obsgen", *args], cwd=cwd, capture_output=True, text=True)


def position_of(text: str, needle: str, offset_in_needle: int = 0) -> tuple[int, int]:
    """1-based line and column of needle (plus an offset into it) in text: where an error must point."""
    index = text.index(needle) + offset_in_needle
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


# -- Mermaid: structural checks of the flowchart subset obsgen writes ----------------------------

_NODE = re.compile(r'^(?P<id>[a-z][0-9]+)(?P<open>\(\[|\[\(|\[\[|\{\{|\()"(?P<label>[^"]*)"(?P<close>\]\)|\)\]|\]\]|\}\}|\))'
                   r'(?::::(?P<cls>[a-z]+))?$')
_EDGE = re.compile(r"^(?P<a>[a-z][0-9]+) (?:-->|-\.->) (?P<b>[a-z][0-9]+)$")
_PAIRS = {"(": ")", "([": "])", "[(": ")]", "[[": "]]", "{{": "}}"}


def check_mermaid(text: str) -> list[str]:
    """Structural checks of the flowchart subset obsgen writes; returns problems."""
    problems, declared, used_classes, defined_classes, depth = [], set(), set(), set(), 0
    body = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("%%")]
    if body[0] != "flowchart LR":
        problems.append(f"first statement is {body[0]!r}")
    edges = []
    for line in body[1:]:
        if line.startswith("subgraph "):
            depth += 1
            if not re.fullmatch(r'subgraph [a-z]+\["[^"]*"\]', line):
                problems.append(f"bad subgraph: {line}")
        elif line == "end":
            depth -= 1
        elif line.startswith("classDef "):
            defined_classes.add(line.split()[1])
        elif node := _NODE.match(line):
            if _PAIRS[node["open"]] != node["close"]:
                problems.append(f"unbalanced brackets: {line}")
            if node["id"] in declared:
                problems.append(f"node declared twice: {node['id']}")
            declared.add(node["id"])
            if node["cls"]:
                used_classes.add(node["cls"])
        elif edge := _EDGE.match(line):
            edges.append((edge["a"], edge["b"]))
        else:
            problems.append(f"unexpected statement: {line}")
        if depth < 0:
            problems.append("'end' without subgraph")
    if depth:
        problems.append("unclosed subgraph")
    problems += [f"edge to undeclared node: {a} -> {b}" for a, b in edges if a not in declared or b not in declared]
    problems += [f"class used but not defined: {c}" for c in sorted(used_classes - defined_classes)]
    return problems


# -- SVG as Graphviz writes it ------------------------------------------------------------------


def svg_nodes(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.find(f"{SVG_NS}title").text: g for g in root.iter(f"{SVG_NS}g") if g.get("class") == "node"}


def node_x(group: ET.Element) -> float:
    shape = next(e for e in group if e.tag in (f"{SVG_NS}path", f"{SVG_NS}polygon", f"{SVG_NS}ellipse"))
    if shape.tag == f"{SVG_NS}ellipse":
        return float(shape.get("cx"))
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", shape.get("d") or shape.get("points"))]
    return min(numbers[0::2])
