"""What the generated rule tests cost promtool: whole rule files vs each test group scoped to the rules
it reads, and a fleet's journeys one after the other vs in one pool.

Builds the specs given (as one fleet, tests written for the local promtool's generation, not run by the
build), then runs every test file the build wrote in each mode and prints, per mode, the wall time and
the CPU time of the promtool processes (and of this process) with the number of promtool jobs.

    python benchmarks/rule_tests.py specs/purchase.yaml
    python benchmarks/rule_tests.py specs/examples/*.yaml --extended
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["OBSGEN_NO_CACHE"] = "1"  # every mode runs promtool; no answer from the passed-test cache

from obsgen.artifacts.ruletests import extent, runner
from obsgen.artifacts.ruletests.runner import load_test_file, rule_test_files, run_files  # noqa: E402
from obsgen.build.pipeline import build_fleet  # noqa: E402
from obsgen.tools import promtool  # noqa: E402


def _cpu() -> tuple[float, float]:
    children, own = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
    return children.ru_utime + children.ru_stime, own.ru_utime + own.ru_stime


def _every_rule(group, rules):
    return frozenset(place for place, _ in rules.places())


def measure(label: str, batches: list[list[Path]], *, scoped: bool) -> None:
    """Each batch is one run_files call (one pool); batches run one after the other."""
    needed = runner.needed
    runner.needed = needed if scoped else _every_rule  # unscoped: every group reads the whole files, as before
    try:
        (children, own), started = _cpu(), time.perf_counter()
        reports = [run_files([load_test_file(path) for path in batch]) for batch in batches]
        wall = time.perf_counter() - started
        children_after, own_after = _cpu()
    finally:
        runner.needed = needed
    failed = sum(len(r.failures) for r in reports)
    groups = sum(r.groups for r in reports)
    print(f"| {label} | {wall:.2f} | {children_after - children:.2f} | {own_after - own:.2f} | {groups} | "
          f"{'all passed' if not failed else f'{failed} FAILED'} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="+", type=Path)
    parser.add_argument("--extended", action="store_true",
                        help="write the long scenarios too (obsgen/artifacts/ruletests/extent.py)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="obsgen-bench-") as tmp, \
            (extent.extended_scenarios() if args.extended else nullcontext()):
        result = build_fleet(args.specs, Path(tmp), validate=False)
        directories = [r.directory for r in result.journeys] + [result.directory]
        per_journey = [files for files in (rule_test_files(d) for d in directories) if files]
        every = [path for files in per_journey for path in files]
        print(f"promtool {promtool.version()} ({promtool.find_promtool()}), {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.1f}; {len(per_journey)} directories with tests"
              f"{', extended scenarios' if args.extended else ''}")
        print("| mode | wall [s] | promtool CPU [s] | obsgen CPU [s] | test groups | result |")
        print("|:---|---:|---:|---:|---:|:---|")
        measure("whole rule files, journey after journey", per_journey, scoped=False)
        measure("scoped, journey after journey", per_journey, scoped=True)
        measure("scoped, one pool for all journeys", [every], scoped=True)


if __name__ == "__main__":
    main()
