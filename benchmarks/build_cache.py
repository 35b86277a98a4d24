"""What the build cache and the fleet's emit pool save (obsgen/build/cache.py, obsgen/build/emit_pool.py).

Times whole `obsgen build` processes (start-up included) in a scratch copy of the project:
- the purchase spec rebuilt unchanged, and `--check`ed, with the cache and with --no-cache (the
  work every such run did before the cache);
- the fleet of specs/examples/ built --no-validate on one process and on the pool.
Prints the best of --runs runs of each: wall time and the CPU time of obsgen and everything it ran.

    python benchmarks/build_cache.py --runs 3
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    cpu_before, started = _children_cpu(), time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "obsgen", "build", *args], cwd=cwd, env=env,
                            capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - started, _children_cpu() - cpu_before
    if result.returncode != 0:
        raise SystemExit(f"obsgen build {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return elapsed, cpu


def best(runs: int, args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    samples = [timed(args, cwd, env) for _ in range(runs)]
    return min(s[0] for s in samples), min(s[1] for s in samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("OBSGEN_NO_CACHE", None)
    with tempfile.TemporaryDirectory(prefix="obsgen-bench-cache-") as tmp:
        project = Path(tmp)
        shutil.copytree(ROOT / "specs", project / "specs")
        env["XDG_CACHE_HOME"] = str(project / "cache")  # a cache of its own; the tools as found now
        for name, variable in (("promtool", "OBSGEN_PROMTOOL"), ("amtool", "OBSGEN_AMTOOL")):
            env.setdefault(variable, _tool(name))
        timed(["specs/purchase.yaml"], project, env)  # the build whose output is then unchanged
        cases = [
            ("purchase, unchanged, full build", ["specs/purchase.yaml", "--no-cache"], {}),
            ("purchase, unchanged, cached", ["specs/purchase.yaml"], {}),
            ("purchase, --check", ["--check", "specs/purchase.yaml", "--no-cache"], {}),
            ("purchase, --check, cached", ["--check", "specs/purchase.yaml"], {}),
            ("examples (7 journeys) --no-validate, 1 process",
             ["specs/examples", "--out", "out-serial", "--no-validate", "--no-cache"], {"OBSGEN_EMIT_WORKERS": "1"}),
            ("examples (7 journeys) --no-validate, pool",
             ["specs/examples", "--out", "out-pool", "--no-validate", "--no-cache"], {}),
        ]
        print("| case | wall (s) | CPU (s) |\n|---|---:|---:|")
        for label, command, extra in cases:
            wall, cpu = best(args.runs, command, project, {**env, **extra})
            print(f"| {label} (`obsgen build {' '.join(command)}`) | {wall:.2f} | {cpu:.2f} |", flush=True)
    print(f"\nBest of {args.runs} runs each; {len(os.sched_getaffinity(0))} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at the end.")


def _tool(name: str) -> str:
    sys.path.insert(0, str(ROOT))
    from obsgen import tools

    return tools.locate(name, getattr(tools, f"{name.upper()}_ENV")) or name


if __name__ == "__main__":
    main()
