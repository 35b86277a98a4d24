"""What one journey costs: `obsgen build SPEC` in a fresh process, full (static checks and rule
tests), `--no-test`, `--no-validate`, and `obsgen --version` (start-up alone). Each is run N times
into a fresh temporary output directory (so every run writes everything); the table gives the
median wall time and the median CPU time of the process and what it ran (promtool, amtool).

    python benchmarks/build_single.py --runs 5 --spec specs/purchase.yaml
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The issue-16 goals each row is held to (seconds of wall time on 2 cores).
COMMANDS = {
    "build (full)": (["build", "{spec}", "--out", "{out}"], 1.5),
    "build --no-test": (["build", "{spec}", "--out", "{out}", "--no-test"], 0.5),
    "build --no-validate": (["build", "{spec}", "--out", "{out}", "--no-validate"], None),
    "--version": (["--version"], 0.15),
}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(arguments: list[str], spec: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one `python -m obsgen ARGUMENTS` into a fresh output directory."""
    with tempfile.TemporaryDirectory(prefix="obsgen-bench-") as tmp:
        command = [sys.executable, "-m", "obsgen",
                   *(a.format(spec=spec, out=Path(tmp) / "generated") for a in arguments)]
        cpu_before, started = _children_cpu(), time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, cwd=tmp,
                                # The work itself, not the build cache's answer (benchmarks/build_cache.py).
                                env={**os.environ, "PYTHONPATH": str(ROOT), "OBSGEN_NO_CACHE": "1"})
        elapsed, cpu = time.perf_counter() - started, _children_cpu() - cpu_before
    if result.returncode != 0:
        raise SystemExit(f"failed ({' '.join(command)}):\n{result.stderr[-2000:]}")
    return elapsed, cpu


def shown(path: Path) -> str:
    """A path inside the checkout as the command is typed there; any other path as given."""
    return os.path.relpath(path, ROOT) if path.is_relative_to(ROOT) else str(path)


def git_commit() -> str:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return result.stdout.strip() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs per command (the median is reported)")
    parser.add_argument("--spec", type=Path, default=ROOT / "specs" / "purchase.yaml")
    parser.add_argument("--only", nargs="+", choices=sorted(COMMANDS), help="time only these commands")
    args = parser.parse_args()
    spec = args.spec.resolve()

    rows = []
    for name, (arguments, goal) in COMMANDS.items():
        if args.only and name not in args.only:
            continue
        runs = [run_once(arguments, spec) for _ in range(args.runs)]
        wall, cpu = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
        rows.append((name, wall, cpu, min(r[0] for r in runs), goal))
        print(f"{name:22} wall {wall:6.2f}s  cpu {cpu:6.2f}s", file=sys.stderr, flush=True)

    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print("\n".join([
        f"Command: `python benchmarks/build_single.py --runs {args.runs} --spec {shown(spec)}` "
        f"(commit {git_commit()}, Python {platform.python_version()}, {len(os.sched_getaffinity(0))} CPUs, "
        f"load average after the runs {load}).",
        "",
        "| command | median wall (s) | median CPU (s) | fastest wall (s) | goal (s, issue 16) |",
        "|---|---:|---:|---:|---:|",
        *[f"| `obsgen {name}` | {wall:.3f} | {cpu:.3f} | {fastest:.3f} | {'' if goal is None else f'≤ {goal}'} |"
          for name, wall, cpu, fastest, goal in rows],
    ]))


if __name__ == "__main__":
    main()
