"""What publishing costs beyond the checks: obsgen.build.writer.publish_all of the example fleet's emitted files
(no validators) into an output directory they were published to before, with one journey's files changed,
as after an edit of one spec of a fleet. Also what syncing one journey's output to disk costs (fsync of every
file and directory of generated/purchase and generated/_fleet, copied beside generated/).

Measures the checkout it is run from (PYTHONPATH=CHECKOUT picks another); scratch directories are made beside
generated/, on the file system the output lives on.

    python benchmarks/publish.py --runs 15
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKOUT = Path(os.environ.get("PYTHONPATH", str(ROOT)).split(os.pathsep)[0]).resolve()
sys.path.insert(0, str(CHECKOUT))
os.environ.setdefault("OBSGEN_EMIT_WORKERS", "1")

from obsgen.build import writer  # noqa: E402
from obsgen.build.load import load_all  # noqa: E402
from obsgen.build.pipeline import emit_all, emit_fleet  # noqa: E402
from obsgen.spec.fleet import resolve_fleet  # noqa: E402


def _accept(staged: Path) -> list[str]:
    return []


def publish_times(runs: int) -> tuple[list[float], int, int]:
    """publish_all's wall time (ms) for each run, the number of directories and of files."""
    specs = sorted((ROOT / "specs" / "examples").glob("*.yaml"))
    with tempfile.TemporaryDirectory(dir=ROOT, prefix=".bench-publish-") as tmp:
        out = Path(tmp) / "out"
        fleet = resolve_fleet(load_all(specs, out))
        emitted = [emit_all(journey) for journey in fleet.journeys] + [emit_fleet(fleet)]
        names = [journey.name for journey in fleet.journeys] + ["_fleet"]

        def outputs(edit: int) -> list[writer.Output]:
            first = [dataclasses.replace(a, content=a.content + f"\n<!-- edit {edit} -->\n")
                     if a.path.endswith(".md") else a for a in emitted[0]]
            return [writer.Output(out / name, artifacts, _accept)
                    for name, artifacts in zip(names, [first] + emitted[1:])]

        writer.publish_all(outputs(0))
        times = []
        for edit in range(1, runs + 1):
            started = time.perf_counter()
            changes = writer.publish_all(outputs(edit))
            times.append(1000 * (time.perf_counter() - started))
            assert [c.any for c in changes] == [True] + [False] * (len(names) - 1), "one directory changed"
        return times, len(names), sum(len(a) for a in emitted)


def fsync_times(runs: int) -> tuple[list[float], int]:
    """The wall time (ms) of syncing a copy of generated/purchase and generated/_fleet, and how many entries."""
    directories = [ROOT / "generated" / name for name in ("purchase", "_fleet")]
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(dir=ROOT, prefix=".bench-fsync-") as tmp:
            copies = [Path(shutil.copytree(d, Path(tmp) / d.name)) for d in directories]
            started = time.perf_counter()
            for copy in copies:
                writer._fsync_tree(copy)
            times.append(1000 * (time.perf_counter() - started))
    return times, sum(1 + sum(1 for _ in d.rglob("*")) for d in directories)


def _shown(times: list[float]) -> str:
    return f"median {statistics.median(times):.1f} ms (fastest {min(times):.1f}, slowest {max(times):.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    published, directories, files = publish_times(runs)
    print(f"publish_all, {directories} directories ({files} files), one changed: {_shown(published)}")
    synced, entries = fsync_times(runs)
    print(f"fsync of one journey's output ({entries} files and directories): {_shown(synced)}")


if __name__ == "__main__":
    main()
