"""What Go's garbage collector costs promtool in the generated rule tests, by GOGC setting.

Builds the specs given (as one fleet, without running its tests), then runs every rule-test file the
way a build does (scoped jobs on a pool of one process per core) once per GOGC setting, the settings
alternated round after round so a drifting machine hurts them alike. Prints, per setting, the median
wall time, the median CPU time of the promtool processes and the largest peak RSS of one promtool.
obsgen runs its tools with GOGC=400 (obsgen/tools/__init__.py).

    python benchmarks/promtool_gc.py specs/purchase.yaml --settings 100 200 400 800 --rounds 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from obsgen.artifacts.ruletests.runner import load_test_file, rule_test_files, run_files  # noqa: E402
from obsgen.build.pipeline import build_fleet  # noqa: E402
from obsgen.tools import promtool  # noqa: E402


class Measured:
    """promtool test rules with one GOGC, each process's CPU and peak RSS (os.wait4) kept."""

    def __init__(self, gogc: str) -> None:
        self.environment = {**os.environ, "GOGC": gogc, "LC_ALL": "C"}
        self.cpu: list[float] = []
        self.peak_rss_mb: list[float] = []

    def __call__(self, files: list[str]) -> promtool.RuleTestResult:
        with tempfile.TemporaryFile("w+") as output:
            process = subprocess.Popen([promtool.find_promtool(), "test", "rules", *files], env=self.environment,
                                       stdout=output, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(process.pid, 0)  # reaped here, so its usage is its own
            process.returncode = os.waitstatus_to_exitcode(status)
            if process.returncode != 0:
                output.seek(0)
                raise SystemExit(f"promtool test rules {' '.join(files)} failed:\n{output.read()}")
        self.cpu.append(usage.ru_utime + usage.ru_stime)
        self.peak_rss_mb.append(usage.ru_maxrss / 1024)
        return promtool.RuleTestResult(tuple(files))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="+", type=Path)
    parser.add_argument("--settings", nargs="+", default=["100", "400"], help="GOGC values (100: Go's default)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="obsgen-bench-") as tmp:
        result = build_fleet(args.specs, Path(tmp), validate=False)
        directories = [r.directory for r in result.journeys] + [result.directory]
        tests = [load_test_file(path) for directory in directories for path in rule_test_files(directory)]
        walls: dict[str, list[float]] = {gogc: [] for gogc in args.settings}
        runs: dict[str, list[Measured]] = {gogc: [] for gogc in args.settings}
        for _ in range(args.rounds):
            for gogc in args.settings:
                measured = Measured(gogc)
                started = time.perf_counter()
                run_files(tests, test_rules=measured)
                walls[gogc].append(time.perf_counter() - started)
                runs[gogc].append(measured)
        print(f"promtool {promtool.version()}, {os.cpu_count()} cores, {len(tests)} test file(s), "
              f"{len(runs[args.settings[0]][0].cpu)} promtool job(s) a run, {args.rounds} rounds")
        print("| GOGC | wall [s] median (min-max) | promtool CPU [s] median (min-max) | largest peak RSS of one promtool [MB] |")
        print("|---:|---:|---:|---:|")
        for gogc in args.settings:
            cpu = [sum(m.cpu) for m in runs[gogc]]
            peak = max(max(m.peak_rss_mb) for m in runs[gogc])
            print(f"| {gogc} | {_spread(walls[gogc])} | {_spread(cpu)} | {peak:.0f} |")


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


if __name__ == "__main__":
    main()
