"""Instructions a journey's emit executes (every artifact kind, as a build emits it), counted by valgrind: a figure
that does not move with a shared machine's load, for changes too small to see in wall or CPU time (a few percent).

Runs a fresh Python under `valgrind --tool=callgrind` twice: both load --emits separate copies of each spec, one
then emits every copy (`pipeline.emit_all`, the rule-test simulator most of all); the difference per copy is
printed (start-up, imports and loading cancel out; PYTHONHASHSEED=0, so both runs hash alike). Separate copies,
because what is remembered per journey object must be paid by each journey, as in a build. Measures the obsgen
on PYTHONPATH, so the same command compares checkouts; needs valgrind (Debian: `apt-get install valgrind`);
about half a minute a run.

    python benchmarks/emit_instructions.py specs/purchase.yaml
    PYTHONPATH=/path/to/other/checkout python benchmarks/emit_instructions.py specs/purchase.yaml
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# What the measured Python runs: load N copies of each spec, then (when asked) emit every copy.
_PROGRAM = """
import sys
from pathlib import Path
from obsgen.build.load import load_all
from obsgen.build.pipeline import emit_all
from obsgen.spec.fleet import resolve_fleet
journeys = [resolve_fleet(load_all([Path(s)], Path("out"))).journeys[0]
            for _ in range(int(sys.argv[2])) for s in sys.argv[3:]]
if sys.argv[1] == "emit":
    for journey in journeys:
        emit_all(journey)
"""


def instructions(mode: str, copies: int, specs: list[str]) -> int:
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    with tempfile.TemporaryDirectory(prefix="obsgen-bench-") as tmp:  # not this checkout's obsgen via the cwd
        result = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                                 sys.executable, "-c", _PROGRAM, mode, str(copies), *specs],
                                capture_output=True, text=True, env=environment, cwd=tmp)
    found = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode != 0 or found is None:
        raise SystemExit(f"valgrind failed:\n{result.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="+", type=Path)
    parser.add_argument("--emits", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    specs = [str(spec.resolve()) for spec in args.specs]
    per_emit = (instructions("emit", args.emits, specs) - instructions("load", args.emits, specs)) / args.emits
    import obsgen

    print(f"{per_emit / 1e6:.0f} M instructions per emit_all of {', '.join(s.name for s in args.specs)} "
          f"(obsgen from {Path(obsgen.__file__).parent.parent})")


if __name__ == "__main__":
    main()
