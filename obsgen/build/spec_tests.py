"""`obsgen test`: run the rule tests of specs' journeys, the committed ones or a fresh build's.

It builds (obsgen.build.pipeline) and then runs tests (obsgen.artifacts.ruletests.runner): the
orchestration sits here, above both, so the rule-test kind never calls back into the build.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from obsgen import progress
from obsgen.artifacts.layout import FLEET_DIR
from obsgen.artifacts.ruletests import extent, generation
from obsgen.artifacts.ruletests.runner import rule_test_files, run_journey_dir
from obsgen.build.cache import test_rules
from obsgen.build.load import fleet_mates, load_in_fleet
from obsgen.build.pipeline import build_fleet
from obsgen.errors import ObsgenError
from obsgen.paths import shown as paths_shown


class MissingOutput(ObsgenError):
    """`obsgen test` was pointed at an output directory that does not exist."""

    exit_code = 2


def _extent(extended: bool) -> AbstractContextManager[None]:
    return extent.extended_scenarios() if extended else contextlib.nullcontext()


def run_specs(specs: list[Path], out_dir: Path, *, fresh: bool, echo: Callable[[str], None],
              prometheus_version: int | None = None, extended: bool = False) -> bool:
    """`obsgen test`: the committed tests of each spec's journey (and of the dependencies its fleet
    shares), or a fresh build's when asked (or when the journey has no committed tests; a missing
    out_dir is an error unless fresh). A fresh build includes the journeys the spec was built
    together with, so it tests what `obsgen build` publishes; its tests are written
    for prometheus_version (None: the local promtool's generation). Committed tests are written for
    the primary target: a promtool of the other generation tests a fresh build written for it.
    extended: fresh builds that also hold the long scenarios builds leave out (obsgen.artifacts.ruletests.extent)."""
    fresh = fresh or extended
    if not fresh and not out_dir.is_dir():
        # A typo in --out must not pass silently by testing something else.
        raise MissingOutput(f"{out_dir}: no such output directory to test; build it first "
                            f"(obsgen build --out {out_dir}), or pass --fresh to test a fresh build")
    local = generation.detected()
    if not fresh and local != generation.PRIMARY:
        echo(f"promtool is Prometheus {local}; the committed tests are written for Prometheus "
             f"{generation.PRIMARY}: testing fresh builds written for Prometheus {local}")
        fresh = True
    prometheus_version = prometheus_version or local
    passed = True
    for spec in specs:
        progress.step(f"test: loading {paths_shown(spec)}")
        journey = load_in_fleet(spec, out_dir)
        committed = out_dir / journey.name
        if not fresh and rule_test_files(committed):
            passed &= run_journey_dir(committed, echo, test_rules=test_rules)
            continue
        if not fresh:
            echo(f"{committed}: no committed rule tests; testing a fresh build instead")
        with tempfile.TemporaryDirectory(prefix="obsgen-test-") as tmp, _extent(extended):
            result = build_fleet([spec, *fleet_mates(journey.name, out_dir)], Path(tmp), validate=False,
                                 prometheus_version=prometheus_version)
            built = next(r.directory for r in result.journeys if r.journey.name == journey.name)
            passed &= run_journey_dir(built, echo, f"fresh build of {spec}", test_rules)
            if rule_test_files(result.directory):
                passed &= run_journey_dir(result.directory, echo, f"fresh build of {spec}: shared dependencies",
                                          test_rules)
    if not fresh and rule_test_files(out_dir / FLEET_DIR):
        passed &= run_journey_dir(out_dir / FLEET_DIR, echo, test_rules=test_rules)
    return passed
