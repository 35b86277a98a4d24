"""Each payload class in every free-text and label-value field of a valid spec at once: the build
refuses a field's payload with exit 2 at that field's position (and leaves the output as it was), or
builds, and then no output format carries a payload in a form its reader would interpret.

Refused fields are put back and the rest built again, until the build succeeds: so every field is
either refused at its own position or proven harmless in every output file.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from obsgen.build.pipeline import build_fleet
from obsgen.errors import SpecError
from obsgen.promql import string_literal
from obsgen.spec.format import JourneyDocument
from obsgen.spec.positions import load_positioned
from tests.conftest import ROOT
from tests.hostile.fields import inject, text_fields, text_places
from tests.hostile.formats import files, markdown_problems, render_markdown, structure_problems
from tests.hostile.payloads import PAYLOADS

SPEC = Path(__file__).parent / "specs" / "every-field.yaml"
SPEC_NAME = "spec.yaml"
FIELDS = text_fields()
# Shown from the current directory, absolute outside it (the spec lives in a temporary directory).
POSITIONED = re.compile(rf"^(?:/\S*/)?{re.escape(SPEC_NAME)}:(\d+):(\d+): [^\n]+$")
MAX_ROUNDS = 8


def base_data() -> Any:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


def places() -> dict[tuple[str, str], tuple]:
    return text_places(JourneyDocument.model_validate(base_data()), FIELDS)


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000)


def tree(directory: Path) -> dict[str, bytes]:
    return {name: path.read_bytes() for name, path in files(directory).items()}


def build(spec: Path, out: Path) -> None:
    build_fleet([spec], out, validate=False, run_tests=False)


@pytest.fixture(scope="module")
def base_output(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("base")
    shutil.copy(SPEC, work / SPEC_NAME)
    build(work / SPEC_NAME, work / "out")
    return work / "out"


def test_every_text_field_of_the_format_is_filled():
    missing = FIELDS - set(places())
    assert not missing, f"add these fields to {SPEC.name} so payloads reach them: {sorted(missing)}"
    # The walk found the format's text: titles, descriptions, hints, matchers, labels, raw PromQL.
    assert {("Stage", "title"), ("Stage", "match"), ("Metadata", "labels"), ("RunbookHints", "commands"),
            ("RegexMatch", "regex"), ("CustomAlert", "expr")} <= FIELDS


@dataclass
class Outcome:
    built: dict[tuple[str, str], tuple]  # fields that hold the payload in the published build
    refused: dict[tuple[str, str], str] = field(default_factory=dict)  # field -> the problem reported there
    data: Any = None


def culprits(diagnostics, text: str, injected: dict[tuple[str, str], tuple]) -> dict[tuple[str, str], str]:
    """The injected fields each problem points at: the value there, or a node holding it."""
    positions = load_positioned(text, SPEC_NAME)
    marks = [(path, at) for table in (positions.value_marks, positions.key_marks) for path, at in table.items()]
    found: dict[tuple[str, str], str] = {}
    for diagnostic in diagnostics:
        shown = str(diagnostic)
        assert POSITIONED.match(shown), f"not one positioned line: {shown!r}"
        nodes = [path for path, at in marks if at == (diagnostic.line, diagnostic.column)]
        hit = {f: shown for f, p in injected.items() for node in nodes if p[:len(node)] == node}
        assert hit, f"a problem at no field holding the payload: {shown}"
        found.update(hit)
    return found


def build_with(payload: str, work: Path, base_output: Path) -> Outcome:
    """Put the payload into every text field; take back those refused, until the build succeeds."""
    outcome = Outcome(built=places())
    out = work / "out"
    shutil.copytree(base_output, out)
    for _ in range(MAX_ROUNDS):
        data = base_data()
        for field_name, path in outcome.built.items():
            inject(data, path, field_name, payload)
        text = dump(data)
        (work / SPEC_NAME).write_text(text, encoding="utf-8")
        before = tree(out)
        try:
            build(work / SPEC_NAME, out)
        except SpecError as error:
            assert error.exit_code == 2
            assert tree(out) == before, "a refused build changed the output directory"
            for refused, problem in culprits(error.diagnostics, text, outcome.built).items():
                outcome.refused[refused] = problem
                del outcome.built[refused]
            continue
        outcome.data = data
        return outcome
    pytest.fail(f"still refused after {MAX_ROUNDS} rounds: {sorted(outcome.refused)}")


def commands(data: Any) -> set[str]:
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            found.update(value.get("commands", []) if isinstance(value.get("commands"), list) else [])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
    walk(data)
    return found


@pytest.mark.integration  # Graphviz draws the SVG, commonmark.js (node) renders the runbook
@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_a_payload_in_every_field_is_refused_there_or_harmless_everywhere(name, tmp_path, base_output):
    payload = PAYLOADS[name]
    outcome = build_with(payload, tmp_path, base_output)
    out = tmp_path / "out"
    assert structure_problems(base_output, out) == []
    pages = sorted(p for p in files(out) if p.endswith(".md"))
    assert pages
    rendered = render_markdown([(out / p).read_text() for p in pages] + [(base_output / p).read_text() for p in pages],
                               tmp_path)
    for page, html, base_html in zip(pages, rendered, rendered[len(pages):]):
        assert markdown_problems(html, base_html, commands(outcome.data)) == [], page
    assert_label_values_kept(outcome, payload, out)
    # Free text takes every payload but template delimiters and control characters (refused in text,
    # escaped in label values).
    assert ("Stage", "title") in (outcome.refused if refused_in_text(payload) else outcome.built)
    assert ("Stage", "match") in outcome.built, outcome.refused.get(("Stage", "match"))


def refused_in_text(payload: str) -> bool:
    return "{" in payload or any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in payload)


def assert_label_values_kept(outcome: Outcome, payload: str, out: Path) -> None:
    """A journey label reaches every alert as written (YAML round trip)."""
    if ("Metadata", "labels") not in outcome.built:
        return
    rules = yaml.safe_load((out / "shop" / "prometheus" / "alerts.rules.yaml").read_text())
    alerts = [rule for group in rules["groups"] for rule in group["rules"] if "alert" in rule]
    assert alerts and all(alert["labels"]["tier"] == payload for alert in alerts)


def exp_annotations(tests_file: Path) -> list[str]:
    document = yaml.safe_load(tests_file.read_text())
    return [text for test in document["tests"] for case in test.get("alert_rule_test", [])
            for alert in case.get("exp_alerts", []) for text in alert.get("exp_annotations", {}).values()]


@pytest.mark.integration
@pytest.mark.parametrize("name", ["prometheus-template", "template-dot", "promql-quote"])
def test_prometheus_prints_payloads_as_written(name, tmp_path, base_output):
    """With every check on: promtool checks the rules and runs the generated tests, whose expected
    annotations hold the payload as written; Prometheus' own template engine agrees, or the build fails."""
    payload = PAYLOADS[name]
    outcome = build_with(payload, tmp_path, base_output)
    assert any(field[1] in ("match", "regex", "not_", "not_regex") for field in outcome.built)
    result = subprocess.run([sys.executable, "-m", "obsgen", "build", SPEC_NAME, "--out", "validated"], cwd=tmp_path,
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=900)
    assert result.returncode == 0, result.stderr
    expected = exp_annotations(tmp_path / "validated" / "shop" / "tests" / "shop.tests.yaml")
    # A label value is shown inside its selector, as a PromQL string literal.
    assert any(string_literal(payload) in text for text in expected), "no tested annotation holds the payload"
