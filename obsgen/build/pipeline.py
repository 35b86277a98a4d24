"""The build: load + validate specs → one typed model per journey, resolved into a fleet → every
artifact kind's emitters (obsgen.artifacts.kinds) → their validators → one writer that publishes
every directory or none."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from obsgen import progress, targets as delivery
from obsgen.artifacts.base import Artifact, Validator
from obsgen.artifacts.fleet import delivery_subject
from obsgen.artifacts.kinds import KINDS
from obsgen.artifacts.layout import FLEET_DIR
from obsgen.artifacts.ruletests import emit as ruletests, generation
from obsgen.build import cache as build_cache, emit_pool, membership, validation, writer
from obsgen.build.load import load_all, shown_from_cwd
from obsgen.errors import ObsgenError
from obsgen.model import Fleet, Journey
from obsgen.paths import shown
from obsgen.spec.fleet import resolve_fleet
from obsgen.targets.options import as_record, from_record
from obsgen.tools import preflight


@dataclass(frozen=True)
class BuildResult:
    journey: Journey
    directory: Path
    artifacts: list[Artifact]
    changes: writer.Changes


@dataclass(frozen=True)
class FleetResult:
    fleet: Fleet
    journeys: list[BuildResult]
    directory: Path  # out/_fleet
    artifacts: list[Artifact]
    changes: writer.Changes
    removed: dict[Path, writer.Changes]  # output of journeys whose spec was deleted

    @property
    def stale(self) -> list[tuple[Path, writer.Changes]]:
        every = [(r.directory, r.changes) for r in self.journeys] + [(self.directory, self.changes)]
        return [(d, c) for d, c in every + list(self.removed.items()) if c.any]


def emit_all(journey: Journey) -> list[Artifact]:
    return _checked([artifact for kind in KINDS for artifact in kind.emit(journey)])


def emit_fleet(fleet: Fleet) -> list[Artifact]:
    """What the journeys share (under _fleet/): every kind's fleet variant, and the manifest of members."""
    shared = [artifact for kind in KINDS for artifact in kind.emit_fleet(fleet)]
    return _checked(membership.emit_manifest(fleet) + shared)


def _checked(artifacts: list[Artifact]) -> list[Artifact]:
    paths = [a.path for a in artifacts]
    duplicated = sorted({p for p in paths if paths.count(p) > 1})
    if duplicated:
        raise RuntimeError(f"two emitters wrote the same file: {', '.join(duplicated)}")
    return sorted(artifacts, key=lambda a: a.path)


def build_fleet(specs: Sequence[Path], out_dir: Path, *, check: bool = False, validate: bool = True,
                run_tests: bool = True, targets: Sequence[str] | None = None,
                target_options: delivery.TargetOptions | None = None,
                prometheus_version: int | None = None, cache: build_cache.Lookup | None = None) -> FleetResult:
    """Build specs together into out_dir/<journey>/ and out_dir/_fleet/; with check=True nothing is
    written. targets: delivery formats written under targets/<name>/ (see obsgen.targets); None: the
    default, or with check=True the targets and options out_dir's manifest records it was built with.
    prometheus_version: the generation the rule tests are written for (None: the promtool's).
    cache: the build cache's lookup of this build (a miss), where a build that succeeds is recorded."""
    targets, target_options = _delivery(out_dir, targets, target_options, check)
    progress.step(f"build: loading {len(specs)} spec(s)")
    with shown_from_cwd(out_dir):
        fleet = resolve_fleet(load_all(specs, out_dir))
    if validate:
        preflight.require_tools()
    gone = membership.departed(fleet, out_dir)
    rule_tests = ruletests.RuleTestRun(build_cache.test_rules) if validate and run_tests else None
    with _models_frozen(), generation.targeting(prometheus_version):
        emitted = [_checked(artifacts) for artifacts in
                   emit_pool.emit_journeys(fleet.journeys, _emitted, _emitted_apart, _load_emitters)]
        outputs = _outputs(fleet, emitted, out_dir, gone, validate=validate, rule_tests=rule_tests, targets=targets,
                           target_options=target_options)
        if check:
            progress.step(f"build: comparing with {shown(out_dir)}/")
            changes = [writer.compare(o.directory, o.artifacts) for o in outputs]
        else:
            progress.step(f"build: validating, then publishing to {shown(out_dir)}/")
            changes = writer.publish_all(outputs, as_record(tuple(targets), target_options),
                                         _checking_together(rule_tests))
    if cache is not None and not (check and any(c.any for c in changes)):
        # A check validates nothing: its entry makes later checks quick, not builds.
        level = build_cache.NOT_VALIDATED if check else build_cache.validation_level(validate, run_tests)
        build_cache.remember(cache, level, [(o.directory, o.artifacts) for o in outputs if o.artifacts],
                             [str(w) for journey in fleet.journeys for w in journey.warnings])
    progress.step("build: done")
    count = len(fleet.journeys)
    results = [BuildResult(j, o.directory, o.artifacts, c) for j, o, c in zip(fleet.journeys, outputs, changes)]
    return FleetResult(fleet, results, outputs[count].directory, outputs[count].artifacts, changes[count],
                       {o.directory: c for o, c in zip(outputs[count + 1:], changes[count + 1:])})


def _delivery(out_dir: Path, targets: Sequence[str] | None, options: delivery.TargetOptions | None,
              check: bool) -> tuple[Sequence[str], delivery.TargetOptions]:
    """The targets and options to build with: as given; what is not given is the default, or for a
    check, what the output's manifest records it was built with."""
    recorded = writer.recorded_build(out_dir) if check and (targets is None or options is None) else None
    if recorded is None:
        return targets or delivery.DEFAULT_TARGETS, options or delivery.TargetOptions()
    try:
        recorded_targets, recorded_options = from_record(recorded)
    except (KeyError, TypeError, ValueError) as exc:
        raise ObsgenError(f"{shown(out_dir / writer.MANIFEST)}: unreadable build record ({exc!r}); "
                          f"delete its {writer.BUILD_RECORD!r} entry and build again") from None
    return targets or recorded_targets, options or recorded_options


@contextmanager
def _models_frozen():
    """The models of every journey stay alive for the whole build; a cyclic-GC pass would walk them
    all each time, which made a 1000-journey build superlinear. They hold no cycles to collect."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _outputs(fleet: Fleet, emitted: list[list[Artifact]], out_dir: Path, gone: list[Path], *, validate: bool,
             rule_tests: ruletests.RuleTestRun | None, targets: Sequence[str],
             target_options: delivery.TargetOptions | None) -> list[writer.Output]:
    target_checks = delivery.validators(targets, target_options)

    def delivered(subject: Journey, artifacts: list[Artifact]) -> list[Artifact]:
        return sorted(artifacts + delivery.emit(subject, artifacts, targets, target_options), key=lambda a: a.path)

    def output(directory: Path, subject, artifacts: list[Artifact], static: list, emit_tests) -> writer.Output:
        # After the static checks: a rule file promtool rejects makes its unit tests meaningless.
        # Queued, to run with every directory's once all are checked (_checking_together).
        def queue(staged: Path, _subject) -> list[str]:
            return rule_tests.queue(staged, artifacts, lambda: emit_tests(subject))
        stages = [static, [queue] if rule_tests else []] if validate else []
        return writer.Output(directory, artifacts, _Checks(directory.name, subject, stages))

    checks = [check for kind in KINDS for check in kind.checks]
    outputs = [output(out_dir / journey.name, journey, delivered(journey, artifacts),
                      checks + target_checks, ruletests.KIND.emit)
               for journey, artifacts in zip(fleet.journeys, emitted)]
    subject = delivery_subject(fleet)
    fleet_targets = [_checking(check, subject) for check in target_checks]
    progress.step(f"build {FLEET_DIR}: emitting what the {len(fleet.journeys)} journey(s) share")
    outputs.append(output(out_dir / FLEET_DIR, fleet, delivered(subject, emit_fleet(fleet)),
                          [check for kind in KINDS for check in kind.fleet_checks] + fleet_targets,
                          ruletests.KIND.emit_fleet))
    outputs += [writer.Output(directory, [], _Checks(directory.name, fleet, [])) for directory in gone]
    return outputs


def _checking_together(rule_tests: ruletests.RuleTestRun | None) -> writer.ValidateAll:
    """_check_together, then the rule tests its validators queued, in one pool for every directory."""
    if rule_tests is None:
        return _check_together

    def check(staged: list[tuple[writer.Output, Path]]) -> list[str]:
        problems = _check_together(staged)
        with progress.phase("build: rule tests (promtool test rules)"):
            return problems + rule_tests.run()
    return check


def _emitted(journey: Journey) -> list[Artifact]:
    """With _emitted_apart, what emit_all emits."""
    progress.step(f"build {journey.name}: emitting {', '.join(kind.name for kind in KINDS)}")
    return [artifact for kind in KINDS if kind not in _APART for artifact in kind.emit(journey)]


def _emitted_apart(journey: Journey) -> list[Artifact]:
    return [artifact for kind in _APART for artifact in kind.emit(journey)]


def _load_emitters() -> None:
    for kind in KINDS:
        kind.load()


# Most of a journey's emit (the rule-test simulator): on a process of its own when a core is free (emit_pool).
_APART = (ruletests.KIND,)


def _checking(check: Validator, subject: Journey) -> Callable[[Path, Fleet], list[str]]:
    """A target check (which takes the journey it delivers) for the fleet's files: the fleet dressed as one."""
    return lambda staged, fleet: check(staged, subject)


def build(spec: Path, out_dir: Path, **options) -> BuildResult:
    """Build one spec (a fleet of one) and return its journey's result."""
    return build_fleet([spec], out_dir, **options).journeys[0]


@dataclass(frozen=True)
class _Checks:
    """What validates one output directory: its validators by stage (see _STAGE_LABELS)."""

    name: str
    subject: object
    stages: list[list[Callable[[Path, object], list[str]]]]

    def directory(self, staged: Path) -> validation.Directory:
        return validation.Directory(self.name, staged, self.subject, self.stages)

    def __call__(self, staged: Path) -> list[str]:
        return validation.check_all([self.directory(staged)], _STAGE_LABELS, _phase(self.name))


def _check_together(staged: list[tuple[writer.Output, Path]]) -> list[str]:
    """Every problem of the first stage of validators that finds any in a directory (later stages
    assume earlier ones passed), each stage over all directories at once: one promtool check rules
    and one amtool check-config run for the whole build (obsgen.build.validation)."""
    directories = [output.validate.directory(path) for output, path in staged]
    return validation.check_all(directories, _STAGE_LABELS, _phase(f"{len(directories)} director(ies)"))


def _phase(name: str) -> Callable[[str], object]:
    return lambda label: progress.phase(f"build {name}: {label}")


# What each validation stage of _outputs runs, as progress names it.
_STAGE_LABELS = ("static checks (promtool check rules, amtool check-config, dashboard lint)",
                 "rule tests queued")
