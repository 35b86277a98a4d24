"""Where promtool's time goes in a journey's rule tests, test group by test group, and whether a coarser
evaluation interval would keep each group's assertions.

promtool evaluates every rule in a group's scope at every evaluation step up to the group's last
eval_time, so a group costs about (rules in scope) x (steps). For each test group of the spec's build
(tests written for the local promtool's generation) this prints the steps, the rules in scope, the input
series and the CPU time of promtool running that group alone, scoped as builds run it (best of --runs).

With --coarse DURATION it also runs each group on that evaluation interval, twice: with the rules as
written, and with `for:` one minute shorter on every alert the group asserts (a broken rule the 1m tests
catch). A group whose assertions still pass as written but no longer fail when broken lost strength.

    python benchmarks/rule_test_steps.py specs/purchase.yaml
    python benchmarks/rule_test_steps.py specs/purchase.yaml --coarse 5m --runs 1
"""

from __future__ import annotations

import argparse
import copy
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from obsgen.artifacts.ruletests.runner import (Job, TestFile, _write_job, evaluated_seconds,  # noqa: E402
                                               load_test_file, rule_test_files)
from obsgen.artifacts.ruletests.scope import Rules, needed  # noqa: E402
from obsgen.build.pipeline import build_fleet  # noqa: E402
from obsgen.promql import format_duration, parse_duration  # noqa: E402
from obsgen.tools import promtool  # noqa: E402

MUTATION = 60.0  # seconds taken off every asserted alert's `for:`


def promtool_cpu(path: Path) -> tuple[float, bool]:
    """CPU seconds of one `promtool test rules PATH`, and whether it passed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run([promtool.find_promtool(), "test", "rules", str(path)], capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), result.returncode == 0


def group_alone(test: TestFile, index: int, directory: Path, interval: str | None = None,
                rules: Rules | None = None) -> Path:
    """The group as a test file of its own with the rules it reads (optionally another evaluation
    interval, other rules), written as the runner writes a job."""
    document = {**test.document, "tests": [test.document["tests"][index]]}
    if interval is not None:
        document["evaluation_interval"] = interval
    alone = TestFile(test.path, document, rules or test.rules)
    group = test.document["tests"][index]
    return _write_job(Job(alone, (0,), needed(group, test.rules), 0.0), directory)


def shortened_for(test: TestFile, index: int) -> Rules:
    """The rules with every alert the group asserts holding one minute less (never below zero)."""
    asserted = {str(c.get("alertname")) for c in test.document["tests"][index].get("alert_rule_test") or []}
    documents = copy.deepcopy(list(test.rules.documents))
    for document in documents:
        for group in document.get("groups") or []:
            for rule in group.get("rules") or []:
                if rule.get("alert") in asserted:
                    held = parse_duration(str(rule.get("for", "0s")))
                    rule["for"] = format_duration(max(0.0, held - MUTATION))
    return Rules(tuple(documents))


def coarse_verdict(test: TestFile, index: int, interval: str, tmp: Path) -> str:
    """The group on the coarse interval as written, and with `for:` shortened on both intervals."""
    broken = shortened_for(test, index)
    _, as_written = promtool_cpu(group_alone(test, index, tmp / f"{index}-coarse", interval))
    _, broken_fine = promtool_cpu(group_alone(test, index, tmp / f"{index}-broken", rules=broken))
    _, broken_coarse = promtool_cpu(group_alone(test, index, tmp / f"{index}-broken-coarse", interval, broken))
    if not as_written:
        return "fails as written"
    if broken_fine:
        return "passes (for-1m passes on both)"
    return "passes; catches for-1m" if not broken_coarse else "passes; MISSES for-1m"


def report(test: TestFile, runs: int, coarse: str | None, tmp: Path) -> float:
    default = parse_duration(str(test.document.get("evaluation_interval", "1m")))
    print(f"\n{test.path.name}: evaluation_interval {format_duration(default)}")
    print("| group | steps | rules in scope | input series | promtool CPU [s] | result |"
          + (f" on {coarse} |" if coarse else ""))
    print("|:---|---:|---:|---:|---:|:---|" + ("" if not coarse else ":---|"))
    total = 0.0
    for index, group in enumerate(test.document["tests"]):
        path = group_alone(test, index, tmp / str(index))
        results = [promtool_cpu(path) for _ in range(runs)]
        cpu, passed = min(c for c, _ in results), all(p for _, p in results)
        total += cpu
        row = (f"| {str(group.get('name'))[:60]} | {(evaluated_seconds(group) or 0) / default:.0f} | "
               f"{len(needed(group, test.rules))} | {len(group.get('input_series') or [])} | {cpu:.3f} | "
               f"{'passed' if passed else 'FAILED'} |")
        print(row + (f" {coarse_verdict(test, index, coarse, tmp)} |" if coarse else ""))
    print(f"total promtool CPU, one process per group: {total:.2f} s")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("spec", type=Path)
    parser.add_argument("--runs", type=int, default=3, help="promtool runs per group (the least CPU is reported)")
    parser.add_argument("--coarse", help="also run each group on this evaluation interval, as written and broken")
    args = parser.parse_args()
    os.environ["OBSGEN_NO_CACHE"] = "1"
    print(f"promtool {promtool.version()} ({promtool.find_promtool()}), {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="obsgen-steps-") as tmp:
        result = build_fleet([args.spec], Path(tmp) / "out", validate=False)
        directories = [r.directory for r in result.journeys] + [result.directory]
        for path in (p for d in directories for p in rule_test_files(d)):
            scratch = Path(tmp) / path.stem
            scratch.mkdir()
            report(load_test_file(path), args.runs, args.coarse, scratch)


if __name__ == "__main__":
    main()
