"""CPU time of the rule-test generator (the PromQL simulator behind the promtool unit tests), per spec.

For each spec, times `emit_rule_tests` (scenarios, expectations, the YAML document) in process, the best of
--runs, for each Prometheus generation, as builds write them and with the extended scenarios the suite
writes (obsgen/artifacts/ruletests/extent.py); then the totals. Prints a Markdown table. Runs the obsgen on
PYTHONPATH, so the same command measures another checkout:

    python benchmarks/rule_test_simulator.py
    PYTHONPATH=/path/to/other/checkout python benchmarks/rule_test_simulator.py
"""

from __future__ import annotations

import argparse
import contextlib
import platform
import time
from pathlib import Path

import obsgen
from obsgen.artifacts.ruletests import extent, generation
from obsgen.artifacts.ruletests.emit import emit_rule_tests
from obsgen.build.load import load_journey

ROOT = Path(__file__).resolve().parent.parent
SPECS = [ROOT / "specs/purchase.yaml", *sorted((ROOT / "specs/examples").glob("*.yaml"))]
COLUMNS = [(3, False), (2, False), (3, True), (2, True)]


def cpu_ms(journey, major: int, extended: bool, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        with generation.targeting(major), (extent.extended_scenarios() if extended else contextlib.nullcontext()):
            started = time.process_time()
            emit_rule_tests(journey)
            best = min(best, time.process_time() - started)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs per cell")
    args = parser.parse_args()
    print(f"obsgen from {Path(obsgen.__file__).parent}, Python {platform.python_version()}, best of {args.runs} "
          "runs, CPU milliseconds of emit_rule_tests (process_time)\n")
    print("| spec | " + " | ".join(f"{'extended' if e else 'build'}, Prometheus {g}" for g, e in COLUMNS) + " |")
    print("|---|" + "---:|" * len(COLUMNS))
    totals = [0.0] * len(COLUMNS)
    for spec in SPECS:
        journey = load_journey(spec)
        emit_rule_tests(journey)  # imports and first-use caches outside the timing
        cells = [cpu_ms(journey, major, extended, args.runs) for major, extended in COLUMNS]
        totals = [t + c for t, c in zip(totals, cells)]
        print(f"| {spec.stem} | " + " | ".join(f"{c:.0f}" for c in cells) + " |", flush=True)
    print("| **total** | " + " | ".join(f"**{t:.0f}**" for t in totals) + " |")


if __name__ == "__main__":
    main()
