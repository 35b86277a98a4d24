"""Where the test suite's CPU goes: a pytest plugin that records, for every test, its wall time and the CPU
of its worker process and of the children that process reaped while the test ran (promtool, amtool, builds
in a subprocess), setup and teardown included.

    python -m pytest -p benchmarks.suite_cpu --suite-cpu=/tmp/suite-cpu.jsonl
    python benchmarks/suite_cpu.py /tmp/suite-cpu.jsonl     # the table: by module, most CPU first

A fixture's processes that outlive their test (a stack, a server) are counted when they are reaped, on the
test that ends them. Each xdist worker appends its own lines to the file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from collections import defaultdict
from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--suite-cpu", metavar="FILE", help="append each test's wall and CPU seconds to FILE (JSON lines)")


def _cpu() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem):
    target = item.config.getoption("--suite-cpu")
    if not target:
        yield
        return
    wall, (own, children) = time.monotonic(), _cpu()
    yield
    own_after, children_after = _cpu()
    line = {"nodeid": item.nodeid, "worker": os.environ.get("PYTEST_XDIST_WORKER", "main"),
            "wall": round(time.monotonic() - wall, 3), "cpu": round(own_after - own, 3),
            "children": round(children_after - children, 3)}
    with open(target, "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def report(path: Path, top: int) -> str:
    rows: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
    for text in path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(text)
        row = rows[_module(entry["nodeid"])]
        row[0] += 1
        row[1] += entry["wall"]
        row[2] += entry["cpu"]
        row[3] += entry["children"]
    total = [sum(row[i] for row in rows.values()) for i in range(4)]
    lines = ["| module | tests | wall (s) | own CPU (s) | children's CPU (s) | CPU (s) |", "|---|---:|---:|---:|---:|---:|"]
    ranked = sorted(rows.items(), key=lambda item: -(item[1][2] + item[1][3]))
    for module, (count, wall, cpu, children) in ranked[:top]:
        lines.append(f"| `{module}` | {count} | {wall:.1f} | {cpu:.1f} | {children:.1f} | {cpu + children:.1f} |")
    count, wall, cpu, children = total
    lines.append(f"| **all {len(rows)} modules** | {int(count)} | {wall:.1f} | {cpu:.1f} | {children:.1f} | "
                 f"{cpu + children:.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path)
    parser.add_argument("--top", type=int, default=30, help="modules shown (default 30)")
    args = parser.parse_args()
    print(report(args.file, args.top))


if __name__ == "__main__":
    main()
