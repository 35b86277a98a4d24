"""What writing a journey's YAML costs: PyYAML's dumper (representer in Python, libyaml's emitter) against
obsgen.block_yaml's direct writer, on the documents a build emits.

Emits N copies of the purchase spec (distinct names and alert names, as benchmarks/build_scale.py writes them)
as one fleet, in process, then serialises every YAML document of every journey both ways, alternately, for
the given rounds; each round's direct writer starts with nothing remembered, as a build process does. Prints
the CPU time per journey (best round) and checks the bytes are the same.

    python benchmarks/yaml_writing.py --journeys 20 --rounds 5
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from build_scale import write_specs  # noqa: E402

from obsgen import block_yaml, render  # noqa: E402
from obsgen.build.load import load_all  # noqa: E402
from obsgen.build.pipeline import emit_all  # noqa: E402
from obsgen.spec.fleet import resolve_fleet  # noqa: E402


def documents(count: int) -> list[list]:
    """Each journey's YAML documents, as its build serialises them."""
    with tempfile.TemporaryDirectory(prefix="obsgen-bench-") as tmp:
        specs = Path(tmp) / "specs"
        specs.mkdir()
        write_specs(specs, count)
        fleet = resolve_fleet(load_all(sorted(specs.glob("*.yaml")), Path(tmp) / "out"))
        return [[a.document for a in emit_all(journey) if a.document is not None and a.path.endswith(".yaml")]
                for journey in fleet.journeys]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    journeys = documents(args.journeys)
    every = [document for docs in journeys for document in docs]
    times: dict[str, list[float]] = {"PyYAML (libyaml emitter)": [], "direct (obsgen.block_yaml)": []}
    for _ in range(args.rounds):
        started = time.process_time()
        expected = [render.dump_yaml(document, dumper=render._DEFAULT) for document in every]
        times["PyYAML (libyaml emitter)"].append(time.process_time() - started)
        writer = block_yaml.for_dumper(render._DEFAULT, **render._OPTIONS)
        started = time.process_time()
        written = [writer.dump(document) for document in every]
        times["direct (obsgen.block_yaml)"].append(time.process_time() - started)
        if written != expected:
            raise SystemExit("the direct writer's bytes differ from PyYAML's")
    size = sum(len(text) for text in written) / len(journeys) / 1024
    print(f"{len(journeys)} journeys, {len(every) // len(journeys)} YAML documents and {size:.0f} KiB a journey; "
          f"CPU per journey, best of {args.rounds} rounds:")
    for name, seconds in times.items():
        print(f"| {name} | {min(seconds) / len(journeys) * 1000:.1f} ms |")


if __name__ == "__main__":
    main()
