"""promtool rule unit tests for the generated rules, and the validator that runs them."""

from __future__ import annotations

import shutil
import tempfile
import textwrap
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from obsgen.artifacts.base import Artifact, ArtifactKind
from obsgen.artifacts.fleet import fleet_source
from obsgen.artifacts.ruletests import generation
from obsgen.artifacts.ruletests.calendar_boundary import calendar_document, calendar_test_path
from obsgen.artifacts.ruletests.custom_alerts import custom_alerts_document, custom_alerts_path
from obsgen.artifacts.ruletests.native import untested_note
from obsgen.artifacts.ruletests.recorded_sli import WHY, recorded_sli_document, recorded_sli_path
from obsgen.artifacts.ruletests.reference import AmbiguousScenario, UnknownRule
from obsgen.artifacts.ruletests.runner import TestFile, TestRules, describe, load_test_file, rule_test_files, run_files
from obsgen.artifacts.ruletests.scenarios import ScenarioError
from obsgen.artifacts.ruletests.testfile import (SHARED_TEST_PATH, rule_test_document, rule_test_path,
                                                 shared_rule_test_document)
from obsgen.artifacts.ruletests.values import NoMatchingValue
from obsgen.errors import ObsgenError
from obsgen.model import Fleet, Journey
from obsgen.render import dump_yaml
from obsgen.tools import promtool


class RuleTestsUnavailable(ObsgenError):
    """The generator cannot write a test that proves some alert of a valid spec: said plainly, not as a traceback."""


# What the generator raises when a scenario cannot prove an alert or label values cannot be found.
_CANNOT_PROVE = (ScenarioError, AmbiguousScenario, NoMatchingValue, UnknownRule)


def emit_rule_tests(journey: Journey) -> list[Artifact]:
    try:
        document = rule_test_document(journey)
    except _CANNOT_PROVE as exc:
        raise RuleTestsUnavailable(f"{journey.source}: the rule-test generator cannot prove every alert of journey "
                                   f"{journey.name!r}: {exc}") from None
    note = "".join(f"# {line}\n" for line in untested_note(journey))
    artifacts = [Artifact(rule_test_path(journey), note + dump_yaml(document, journey.source), document)]
    recorded = recorded_sli_document(journey)
    if recorded is not None:
        why = "".join(f"# {line}\n" for line in textwrap.wrap(WHY, 100))
        text = dump_yaml(recorded, journey.source)
        body = text.index("rule_files:")  # the explanation goes under the generated-file header
        artifacts.append(Artifact(recorded_sli_path(journey), text[:body] + why + text[body:], recorded))
    calendar = calendar_document(journey)
    if calendar is not None:
        artifacts.append(Artifact(calendar_test_path(journey), dump_yaml(calendar, journey.source), calendar))
    custom = custom_alerts_document(journey)
    if custom is not None:
        artifacts.append(Artifact(custom_alerts_path(journey), dump_yaml(custom, journey.source), custom))
    return artifacts


def emit_shared_rule_tests(fleet: Fleet) -> list[Artifact]:
    if not fleet.shared:
        return []
    document = shared_rule_test_document(fleet)
    return [Artifact(SHARED_TEST_PATH, dump_yaml(document, fleet_source(fleet)), document)]


# No static check: the build runs the tests with promtool as a stage of their own (RuleTestRun).
KIND = ArtifactKind("rule tests", emit_rule_tests, emit_fleet=emit_shared_rule_tests)


class RuleTestRun:
    """The rule tests of every directory a build stages, run together once all are staged: one pool of
    promtool jobs for the whole fleet keeps every core busy, where journey after journey left the
    cores idle at the end of each."""

    def __init__(self, test_rules: TestRules = promtool.test_rules) -> None:
        self._test_rules = test_rules
        self._queued: list[tuple[Path, list[TestFile]]] = []  # staged directory, its tests
        self._scratch = ExitStack()

    def queue(self, staged: Path, artifacts: list[Artifact], emit: Callable[[], list[Artifact]]) -> list[str]:
        """A Validator's answer for the staged directory (nothing yet: run() reports). artifacts: what
        was staged there, whose documents are handed over instead of parsed back; emit: the tests again,
        for when the local promtool is of the other Prometheus generation than the staged tests."""
        local = generation.detected()
        if local != generation.current():
            staged, artifacts = self._for_generation(local, staged, artifacts, emit)
        paths = rule_test_files(staged)
        if paths:
            known = {(staged / a.path).resolve(): a.document for a in artifacts if a.document is not None}
            self._queued.append((staged, [load_test_file(p, known) for p in paths]))
        return []

    def _for_generation(self, local: int, staged: Path, artifacts: list[Artifact],
                        emit: Callable[[], list[Artifact]]) -> tuple[Path, list[Artifact]]:
        """The same tests written for the local promtool's generation, in a scratch copy: the rules are
        proven either way, and the published files do not depend on the machine."""
        scratch = self._scratch.enter_context(tempfile.TemporaryDirectory(prefix="obsgen-tests-"))
        copy = Path(scratch) / staged.name
        shutil.copytree(staged, copy)
        with generation.targeting(local):
            emitted = emit()
        for artifact in emitted:
            (copy / artifact.path).write_bytes(artifact.content.encode("utf-8"))
        rewritten = {a.path for a in emitted}
        return copy, [a for a in artifacts if a.path not in rewritten] + emitted

    def run(self) -> list[str]:
        """Run everything queued; a failure names the alert, the scenario and the file as published."""
        if not self._queued:
            self._scratch.close()
            return []
        with self._scratch:
            # Runs that passed before on the same bytes are answered by the build's test_rules (obsgen.build.cache).
            report = run_files([test for _, tests in self._queued for test in tests], test_rules=self._test_rules)
            published = {str(t.path): t.path.resolve().relative_to(staged.resolve()).as_posix()
                         for staged, tests in self._queued for t in tests}
        self._queued = []
        return [describe(f, published[f.file]) for f in report.failures]
