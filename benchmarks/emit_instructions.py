"""Instructions the rule-test emitter executes per journey, counted by valgrind: a figure that does not move
with a shared machine's load, for changes too small to see in wall or CPU time (a few percent).

Runs `emit_rule_tests` on the specs in a fresh Python under `valgrind --tool=callgrind` twice, with 0 and
with --emits emits of each spec (PYTHONHASHSEED=0, so both runs hash alike), and prints the difference per
emit: start-up, imports and loading the specs cancel out. Measures the obsgen on PYTHONPATH, so the same
command compares checkouts; needs valgrind (Debian: `apt-get install valgrind`); about half a minute a run.

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

# What the measured Python runs: load the specs, then emit each one's rule tests N times.
_PROGRAM = """
import sys
from pathlib import Path
from obsgen.artifacts.ruletests.emit import emit_rule_tests
from obsgen.build.load import load_all
from obsgen.spec.fleet import resolve_fleet
journeys = [resolve_fleet(load_all([Path(s)], Path("out"))).journeys[0] for s in sys.argv[2:]]
for _ in range(int(sys.argv[1])):
    for journey in journeys:
        emit_rule_tests(journey)
"""


def instructions(emits: int, specs: list[str]) -> int:
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    with tempfile.TemporaryDirectory(prefix="obsgen-bench-") as tmp:  # not this checkout's obsgen via the cwd
        result = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                                 sys.executable, "-c", _PROGRAM, str(emits), *specs],
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
    per_emit = (instructions(args.emits, specs) - instructions(0, specs)) / args.emits
    import obsgen

    print(f"{per_emit / 1e6:.0f} M instructions per emit of {', '.join(s.name for s in args.specs)} "
          f"(obsgen from {Path(obsgen.__file__).parent.parent})")


if __name__ == "__main__":
    main()
