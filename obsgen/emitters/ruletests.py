"""promtool rule unit tests for the generated rules, and the validator that runs them."""

from __future__ import annotations

from pathlib import Path

from obsgen.emitters import Artifact
from obsgen.model import Journey
from obsgen.render import dump_yaml
from obsgen.ruletests.runner import describe, rule_test_files, run
from obsgen.ruletests.testfile import rule_test_document, rule_test_path


def emit_rule_tests(journey: Journey) -> list[Artifact]:
    return [Artifact(rule_test_path(journey), dump_yaml(rule_test_document(journey), journey.source))]


def check_rule_tests(staged: Path, journey: Journey) -> list[str]:
    """Run `promtool test rules` on the staged tests; a failure names the alert and the scenario."""
    paths = rule_test_files(staged)
    if not paths:
        return []
    report = run(paths)
    return [describe(f, f"{Path(f.file).resolve().relative_to(staged.resolve()).as_posix()}")
            for f in report.failures]
