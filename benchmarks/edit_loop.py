"""What a build costs after a one-line edit of a spec, with the build cache warm: the loop of a pre-commit
hook or an editor save. Each rule-test job whose exact inputs passed before is answered from the cache
(obsgen/build/cache.py), so an edit re-runs promtool only for the test groups it touches.

In a scratch copy of specs/ with a cache of its own: builds the purchase spec once (cold), then for each
edit, starting from the unedited spec's warm cache each time: applies the edit, builds, and reports the
wall and CPU time of the whole `obsgen build` process (and what it ran) and how many promtool test jobs
ran (entries the cache gained) against those a cold build runs. Best of --runs (each run from a fresh copy
of the warm cache).

    python benchmarks/edit_loop.py --runs 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from build_cache import _tool, timed  # noqa: E402

SPEC = "specs/purchase.yaml"
# (what the edit is, the line as it is, the line after the edit): one line each, unique in the spec.
EDITS = [
    ("an SLO's description (dashboards, runbook, alert annotations)",
     "      description: Share of orders processed without a failed background job.\n",
     "      description: Share of orders processed without a failed Celery task.\n"),
    ("a stage alert's threshold (HighCheckoutErrorRate 5% -> 8%)",
     "          threshold: 0.05\n", "          threshold: 0.08\n"),
    ("an SLO's objective (storefront availability 99.95 -> 99.9)",
     "      objective: 99.95\n", "      objective: 99.9\n"),
    ("a dependency's saturation threshold (RabbitMQ backlog 1000 -> 2000)",
     "        threshold: 1000\n", "        threshold: 2000\n"),
]


def rule_test_entries(cache_home: Path) -> int:
    directory = cache_home / "obsgen" / "build-cache" / "rule-tests"
    return len(list(directory.iterdir())) if directory.is_dir() else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("OBSGEN_NO_CACHE", None)
    for name, variable in (("promtool", "OBSGEN_PROMTOOL"), ("amtool", "OBSGEN_AMTOOL")):
        env.setdefault(variable, _tool(name))
    with tempfile.TemporaryDirectory(prefix="obsgen-bench-edit-") as tmp:
        warm = Path(tmp) / "warm"
        shutil.copytree(ROOT / "specs", warm / "specs")
        cold_wall, cold_cpu = timed([SPEC], warm, {**env, "XDG_CACHE_HOME": str(warm / "cache")})
        cold_jobs = rule_test_entries(warm / "cache")
        print("| build | wall (s) | CPU (s) | promtool test jobs run |\n|---|---:|---:|---:|")
        print(f"| cold: nothing cached (`obsgen build {SPEC}`) | {cold_wall:.2f} | {cold_cpu:.2f} | {cold_jobs} |")
        for label, before, after in EDITS:
            samples = []
            for run in range(args.runs):
                project = Path(tmp) / f"edit-{run}"
                shutil.rmtree(project, ignore_errors=True)
                shutil.copytree(warm, project, symlinks=True)
                spec = project / SPEC
                text = spec.read_text(encoding="utf-8")
                if text.count(before) != 1:
                    raise SystemExit(f"{SPEC} changed: the edit {label!r} no longer applies; update EDITS")
                spec.write_text(text.replace(before, after), encoding="utf-8")
                entries = rule_test_entries(project / "cache")
                wall, cpu = timed([SPEC], project, {**env, "XDG_CACHE_HOME": str(project / "cache")})
                samples.append((wall, cpu, rule_test_entries(project / "cache") - entries))
            wall, cpu = min(s[0] for s in samples), min(s[1] for s in samples)
            print(f"| after {label} | {wall:.2f} | {cpu:.2f} | {samples[0][2]} |", flush=True)
    print(f"\nBest of {args.runs} runs each; {len(os.sched_getaffinity(0))} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at the end.")


if __name__ == "__main__":
    main()
