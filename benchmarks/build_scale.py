"""How `obsgen build` scales with the number of journeys.

Generates N synthetic journeys (the purchase spec under distinct names and titles) into a
temporary directory and times the whole `obsgen build SPECS_DIR --out TMP` process, with and
without validation (promtool et al.), optionally with every delivery target. Prints a Markdown
table and, with --write, stores it in .notes/bench-build-scale.md.

    python benchmarks/build_scale.py --sizes 1 10 100 1000 --write
"""

from __future__ import annotations

import argparse
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "specs" / "purchase.yaml"
REPORT = ROOT / ".notes" / "bench-build-scale.md"
ALL_TARGETS = ("prometheus-operator", "mimir", "cortex", "thanos")


def write_specs(directory: Path, count: int) -> None:
    seed = SEED.read_text(encoding="utf-8")
    head = "metadata:\n  name: purchase\n  title: Purchase journey\n"
    if head not in seed:
        raise SystemExit(f"{SEED}: metadata block changed; update write_specs()")
    for index in range(count):
        name = f"purchase-{index:04d}"
        text = seed.replace(head, f"metadata:\n  name: {name}\n  title: Purchase journey {index}\n")
        (directory / f"{name}.yaml").write_text(text, encoding="utf-8")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_build(specs: Path, out: Path, *, validate: bool, targets: tuple[str, ...]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of obsgen and everything it ran: promtool, amtool, ...)."""
    command = [sys.executable, "-m", "obsgen", "build", str(specs), "--out", str(out)]
    command += [] if validate else ["--no-validate"]
    for target in targets:
        command += ["--target", target]
    cpu_before, started = _children_cpu(), time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - started, _children_cpu() - cpu_before
    if result.returncode != 0:
        raise SystemExit(f"build failed ({' '.join(command)}):\n{result.stderr[-2000:]}")
    return elapsed, cpu


def measure(count: int, *, validate: bool, targets: tuple[str, ...]) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="obsgen-bench-") as tmp:
        specs, out = Path(tmp) / "specs", Path(tmp) / "generated"
        specs.mkdir()
        write_specs(specs, count)
        return time_build(specs, out, validate=validate, targets=targets)


def _emitters() -> list[str]:
    from obsgen.pipeline import EMITTERS

    return [f"{e.__module__.rsplit('.', 1)[-1]}.{e.__name__}" for e in EMITTERS]


def git_commit() -> str:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return result.stdout.strip() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100, 1000])
    parser.add_argument("--targets-up-to", type=int, default=100,
                        help="also time builds with every delivery target for sizes up to this")
    parser.add_argument("--write", action="store_true", help=f"store the table in {REPORT.relative_to(ROOT)}")
    args = parser.parse_args()

    rows = []
    for count in args.sizes:
        variants = [(True, ()), (False, ())]
        if count <= args.targets_up_to:
            variants.append((True, ALL_TARGETS))
        for validate, targets in variants:
            seconds, cpu = measure(count, validate=validate, targets=targets)
            rows.append((count, validate, targets, seconds, cpu))
            print(f"{count:5d} journeys  validate={validate!s:5}  targets={','.join(targets) or 'prometheus'}  "
                  f"wall {seconds:8.2f}s  cpu {cpu:8.2f}s  {seconds / count * 1000:7.1f} ms/journey", flush=True)

    table = ["| journeys | validation | targets | wall time (s) | CPU time (s) | wall per journey (ms) |",
             "|---:|---|---|---:|---:|---:|"]
    table += [f"| {n} | {'yes' if v else 'no (--no-validate)'} | {', '.join(t) if t else 'prometheus (default)'} "
              f"| {s:.2f} | {c:.2f} | {s / n * 1000:.1f} |" for n, v, t, s, c in rows]
    command = f"python benchmarks/build_scale.py --sizes {' '.join(map(str, args.sizes))} " \
              f"--targets-up-to {args.targets_up_to}" + (" --write" if args.write else "")
    report = "\n".join([
        "# obsgen build: cost by number of journeys",
        "",
        f"Command: `{command}` (commit {git_commit()}, Python {platform.python_version()}, "
        f"{platform.machine()}, `nproc` = {len(__import__('os').sched_getaffinity(0))}).",
        "Each row is one whole `python -m obsgen build SPECS_DIR --out TMP` process (start-up included) "
        "over N copies of specs/purchase.yaml with distinct names, into an empty output directory. "
        "CPU time is obsgen's plus its children's (promtool, amtool): steadier than wall time on a shared machine.",
        f"Emitters registered: {', '.join(_emitters())}.",
        "",
        *table,
        "",
    ])
    print(report)
    if args.write:
        REPORT.parent.mkdir(exist_ok=True)
        REPORT.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
