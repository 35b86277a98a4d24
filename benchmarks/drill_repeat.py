"""Every drill of a journey, repeated back to back on one fresh native stack: verdict and duration of each
run, then the median and maximum per dependency (issue 19: each drill passes 5 times in a row, in at most
6 minutes).

A fresh `obsgen stack up --fast` in a throwaway state directory (the store's fast settings of the live
tests), then ROUNDS rounds of `obsgen drill SPEC DEP` over DEPS in order, never restarting the stack: every
drill starts on what the one before left. Each run's JSON report is kept in OUT_DIR; the table goes to
stdout. The stack is stopped at the end, also on failure or Ctrl-C.

Usage:  python benchmarks/drill_repeat.py [--rounds 5] [--spec specs/purchase.yaml] [--deps a,b,...] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from obsgen.build.load import load_journey  # noqa: E402
from tests.live.conftest import STORE_ENV  # noqa: E402  the live tests' store: fast background work, one retry
from tests.live.drills import HOLD, RATE, SCALE, TIMEOUT  # noqa: E402  the live drill tests' configuration
from tests.stack.conftest import make_state_dir  # noqa: E402

DRILL_ARGS = ["--scale", SCALE, "--hold", HOLD, "--timeout", TIMEOUT, "--rate", RATE, "--format", "json", "--progress"]


def obsgen(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "obsgen", *args], cwd=ROOT, text=True, check=False, **kwargs)


def run_drill(spec: str, dep: str, state_dir: Path) -> tuple[float, int, dict]:
    started = time.monotonic()
    result = obsgen("drill", spec, dep, "--state-dir", str(state_dir), *DRILL_ARGS, stdout=subprocess.PIPE)
    wall = time.monotonic() - started
    report = json.loads(result.stdout) if result.stdout.strip() else {"passed": False, "findings": []}
    return wall, result.returncode, report


def summary(report: dict) -> dict:
    """The figures of one run: of the whole drill, and of each journey's judgement (a fleet drill)."""
    journeys = report.get("journeys") or [report]
    alerts = [a for j in journeys for a in j.get("alerts", [])]
    after = [a["resolved_after_restore_s"] for a in alerts if a.get("resolved_after_restore_s") is not None]
    failures = [f["message"] for j in journeys for f in j.get("findings", []) if f["level"] == "FAIL"]
    return {"restored_at_s": report.get("restored_at_s"), "all_resolved_after_restore_s": max(after, default=None),
            "failures": failures}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--spec", default="specs/purchase.yaml")
    parser.add_argument("--deps", help="comma-separated (default: every dependency of the spec, in its order)")
    parser.add_argument("--out-dir", type=Path, help="where each run's JSON report goes (default: a temp dir)")
    args = parser.parse_args()
    deps = args.deps.split(",") if args.deps else [d.name for d in load_journey(ROOT / args.spec).dependencies]
    out_dir = args.out_dir or Path(tempfile.mkdtemp(prefix="obsgen-drills-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    state_dir = make_state_dir("obsgen-drill-stack-")
    os.environ.update(STORE_ENV)
    started = time.monotonic()
    up = obsgen("stack", "--state-dir", str(state_dir), "--progress", "up", "--fast")
    print(f"stack up: exit {up.returncode} in {time.monotonic() - started:.1f} s", file=sys.stderr)
    rows = []
    try:
        if up.returncode != 0:
            return 1
        for round_no in range(1, args.rounds + 1):
            for dep in deps:
                wall, code, report = run_drill(args.spec, dep, state_dir)
                (out_dir / f"{round_no:02d}-{dep}.json").write_text(json.dumps(report, indent=1))
                row = {"round": round_no, "dependency": dep, "exit": code, "passed": bool(report.get("passed")),
                       "wall_s": round(wall, 1), "load1": round(os.getloadavg()[0], 2), **summary(report)}
                rows.append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
    finally:
        obsgen("stack", "--state-dir", str(state_dir), "--quiet", "down")
    print_table(rows, deps)
    print(f"\nreports: {out_dir}")
    return 0 if rows and all(r["passed"] for r in rows) else 1


def print_table(rows: list[dict], deps: list[str]) -> None:
    print("| round | dependency | verdict | duration (wall) | restored | everything resolved after the restore "
          "| load (1 min) |")
    print("|---:|---|---|---:|---:|---:|---:|")
    for r in rows:
        verdict = "pass" if r["passed"] else "FAIL: " + "; ".join(r["failures"])[:200]
        print(f"| {r['round']} | {r['dependency']} | {verdict} | {r['wall_s']} s | +{r['restored_at_s']} "
              f"| {r['all_resolved_after_restore_s']} s | {r['load1']} |")
    print("\n| dependency | runs | passed | median | max |")
    print("|---|---:|---:|---:|---:|")
    for dep in deps:
        walls = [r["wall_s"] for r in rows if r["dependency"] == dep]
        if walls:
            passed = sum(r["passed"] for r in rows if r["dependency"] == dep)
            print(f"| {dep} | {len(walls)} | {passed} | {statistics.median(walls):.1f} s | {max(walls):.1f} s |")


if __name__ == "__main__":
    sys.exit(main())
