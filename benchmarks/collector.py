"""What Python's cyclic garbage collector costs a fleet build, measured in process.

Writes N synthetic journeys (benchmarks/build_scale.py's: the purchase spec under distinct names), builds them
in this process without validation (`build_fleet(..., validate=False)`, the cache off) and prints the build's CPU
and wall time and the time the collector spent, per generation, timed with `gc.callbacks`. With --workers 1 the
journeys are emitted one after the other in this process; with 2 on the fork pool, whose workers' collections
are not counted (only this process's: loading, receiving the pool's output, writing). Measures the obsgen on
PYTHONPATH; run it from outside a checkout (`cd /tmp`) so that the current directory does not decide.

    cd /tmp && PYTHONPATH=CHECKOUT python CHECKOUT/benchmarks/collector.py --journeys 100 --workers 1
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_scale import write_specs  # noqa: E402


class Collections:
    """Each collection's duration, by generation, from gc.callbacks."""

    def __init__(self) -> None:
        self.count = [0, 0, 0]
        self.seconds = [0.0, 0.0, 0.0]
        self._started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.count[info["generation"]] += 1
            self.seconds[info["generation"]] += time.perf_counter() - self._started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1, help="emit workers (OBSGEN_EMIT_WORKERS)")
    args = parser.parse_args()
    os.environ["OBSGEN_EMIT_WORKERS"] = str(args.workers)
    os.environ["OBSGEN_NO_CACHE"] = "1"
    import obsgen
    from obsgen.build.pipeline import build_fleet

    with tempfile.TemporaryDirectory(prefix="obsgen-bench-") as tmp:
        specs = Path(tmp) / "specs"
        specs.mkdir()
        write_specs(specs, args.journeys)
        collections = Collections()
        gc.callbacks.append(collections)
        cpu, wall = time.process_time(), time.perf_counter()
        build_fleet(sorted(specs.glob("*.yaml")), Path(tmp) / "generated", validate=False)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        gc.callbacks.remove(collections)
    spent = sum(collections.seconds)
    print(f"{args.journeys} journeys, {args.workers} worker(s), obsgen from {Path(obsgen.__file__).parent.parent}: "
          f"wall {wall:.2f} s, CPU of this process {cpu:.2f} s, collector {spent:.2f} s ({spent / cpu:.1%}); "
          f"collections by generation {collections.count}, "
          f"seconds {[round(s, 2) for s in collections.seconds]}")


if __name__ == "__main__":
    main()
