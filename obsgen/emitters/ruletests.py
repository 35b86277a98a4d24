"""promtool rule unit tests for the generated rules, and the validator that runs them."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

from obsgen import promtool
from obsgen.emitters import Artifact
from obsgen.errors import ObsgenError
from obsgen.model import Journey
from obsgen.render import dump_yaml
from obsgen.ruletests.runner import describe, rule_test_files, run
from obsgen.emitters.prometheus import rule_files
from obsgen.ruletests import generation
from obsgen.ruletests.native import untested_note
from obsgen.ruletests.calendar_boundary import calendar_document, calendar_test_path
from obsgen.ruletests.custom_alerts import custom_alerts_document, custom_alerts_path
from obsgen.ruletests.recorded_sli import WHY, recorded_sli_document, recorded_sli_path
from obsgen.ruletests.reference import AmbiguousScenario, UnknownRule
from obsgen.ruletests.scenarios import ScenarioError
from obsgen.ruletests.values import NoMatchingValue
from obsgen.ruletests.testfile import rule_test_document, rule_test_path

# Digests of (promtool, rule files, test files) that already passed in this process: promtool is
# deterministic, so a build that stages the very same bytes again need not wait for it twice.
_PASSED: set[str] = set()


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
    artifacts = [Artifact(rule_test_path(journey), note + dump_yaml(document, journey.source))]
    recorded = recorded_sli_document(journey)
    if recorded is not None:
        why = "".join(f"# {line}\n" for line in textwrap.wrap(WHY, 100))
        text = dump_yaml(recorded, journey.source)
        body = text.index("rule_files:")  # the explanation goes under the generated-file header
        artifacts.append(Artifact(recorded_sli_path(journey), text[:body] + why + text[body:]))
    calendar = calendar_document(journey)
    if calendar is not None:
        artifacts.append(Artifact(calendar_test_path(journey), dump_yaml(calendar, journey.source)))
    custom = custom_alerts_document(journey)
    if custom is not None:
        artifacts.append(Artifact(custom_alerts_path(journey), dump_yaml(custom, journey.source)))
    return artifacts


def check_rule_tests(staged: Path, journey: Journey) -> list[str]:
    """Run `promtool test rules` on the staged tests; a failure names the alert and the scenario."""
    return run_on_local_promtool(staged, lambda: emit_rule_tests(journey))


def run_on_local_promtool(staged: Path, emit: Callable[[], list[Artifact]]) -> list[str]:
    """The staged tests, or, when the local promtool is of the other Prometheus generation than the
    one they are written for, the same tests written for its generation in a scratch copy: the rules
    are proven either way, and the published files do not depend on the machine."""
    local = generation.detected()
    if local == generation.current():
        return run_rule_tests(staged)
    with tempfile.TemporaryDirectory(prefix="obsgen-tests-") as scratch, generation.targeting(local):
        copy = Path(scratch) / staged.name
        shutil.copytree(staged, copy)
        for artifact in emit():
            (copy / artifact.path).write_bytes(artifact.content.encode("utf-8"))
        return run_rule_tests(copy)


def run_rule_tests(staged: Path) -> list[str]:
    paths = rule_test_files(staged)
    if not paths:
        return []
    digest = _digest(staged, paths)
    if digest in _PASSED:
        return []
    report = run(paths)
    if report.passed:
        _PASSED.add(digest)
    return [describe(f, Path(f.file).resolve().relative_to(staged.resolve()).as_posix()) for f in report.failures]


def _digest(staged: Path, tests: list[Path]) -> str:
    sha = hashlib.sha256(f"{promtool.find_promtool()} {promtool.version()}".encode())
    for path in rule_files(staged) + tests:
        sha.update(path.relative_to(staged).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return sha.hexdigest()
