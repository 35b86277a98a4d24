"""What Go's runtime settings cost promtool in the generated rule tests: GOGC, and GOMAXPROCS in the pool.

Builds the specs given (as one fleet, without running its tests), then runs every rule-test file the
way a build does (scoped jobs on a pool of one process per core) once per setting, the settings
alternated round after round so a drifting machine hurts them alike. Prints, per setting, the median
wall time, the median CPU time of the promtool processes and the largest peak RSS of one promtool.
A setting is a GOGC value, or NAME=VALUE pairs joined by commas over obsgen's own environment
(obsgen.tools.environment: GOGC=400, and GOMAXPROCS the pool's share of the cores); an empty value
unsets the variable (`GOMAXPROCS=`: Go's default, every core).

    python benchmarks/promtool_gc.py specs/purchase.yaml --settings 100 200 400 800 --rounds 5
    python benchmarks/promtool_gc.py specs/purchase.yaml specs/examples/*.yaml --settings GOMAXPROCS= obsgen
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
from obsgen.tools import environment, promtool  # noqa: E402


class Measured:
    """promtool test rules with one setting, each process's CPU and peak RSS (os.wait4) kept."""

    def __init__(self, setting: str) -> None:
        self.overrides = _overrides(setting)
        self.cpu: list[float] = []
        self.peak_rss_mb: list[float] = []

    def __call__(self, files: list[str], go_threads: int | None = None) -> promtool.RuleTestResult:
        # an override without a value unsets the variable; nothing else of the environment is dropped
        env = {name: value for name, value in {**environment(go_threads), **self.overrides}.items()
               if name not in self.overrides or value}
        with tempfile.TemporaryFile("w+") as output:
            process = subprocess.Popen([promtool.find_promtool(), "test", "rules", *files], env=env,
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
    parser.add_argument("--settings", nargs="+", default=["100", "400"],
                        help="GOGC values (100: Go's default), NAME=VALUE[,NAME=VALUE] or obsgen (see above)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="obsgen-bench-") as tmp:
        result = build_fleet(args.specs, Path(tmp), validate=False)
        directories = [r.directory for r in result.journeys] + [result.directory]
        tests = [load_test_file(path) for directory in directories for path in rule_test_files(directory)]
        walls: dict[str, list[float]] = {setting: [] for setting in args.settings}
        runs: dict[str, list[Measured]] = {setting: [] for setting in args.settings}
        for _ in range(args.rounds):
            for setting in args.settings:
                measured = Measured(setting)
                started = time.perf_counter()
                run_files(tests, test_rules=measured)
                walls[setting].append(time.perf_counter() - started)
                runs[setting].append(measured)
        print(f"promtool {promtool.version()}, {os.cpu_count()} cores, {len(tests)} test file(s), "
              f"{len(runs[args.settings[0]][0].cpu)} promtool job(s) a run, {args.rounds} rounds")
        print("| setting | wall [s] median (min-max) | promtool CPU [s] median (min-max) | largest peak RSS of one promtool [MB] |")
        print("|---:|---:|---:|---:|")
        for setting in args.settings:
            cpu = [sum(m.cpu) for m in runs[setting]]
            peak = max(max(m.peak_rss_mb) for m in runs[setting])
            print(f"| {setting} | {_spread(walls[setting])} | {_spread(cpu)} | {peak:.0f} |")


def _overrides(setting: str) -> dict[str, str]:
    """A setting's variables: a bare number is a GOGC; "obsgen" is obsgen's environment as it is."""
    if setting == "obsgen":
        return {}
    if "=" not in setting:
        return {"GOGC": setting}
    return dict(pair.split("=", 1) for pair in setting.split(","))


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


if __name__ == "__main__":
    main()
