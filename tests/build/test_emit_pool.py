"""The emit step on a few processes (obsgen.build.emit_pool): a build of a few journeys emits their rule tests on a
forked process beside its own, a larger fleet spreads its journeys over a pool. The same bytes as one process,
each part where it belongs, a failure raised as one process raises it, and Ctrl-C leaves no output and no process."""

from __future__ import annotations

import gc
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import weakref
from pathlib import Path

import pytest

from obsgen.build import emit_pool
from obsgen.build.pipeline import build_fleet
from obsgen.errors import ObsgenError
from tests.conftest import PURCHASE_SPEC, ROOT, tree

EXAMPLES = ROOT / "specs" / "examples"
# Forks: a process of its own. The split needs a second core; without one, the build emits everything here.
forks = pytest.mark.integration
needs_two_cores = pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="the split needs a second core")


@pytest.fixture
def env() -> dict[str, str]:
    """A build's environment: this checkout, and the emit's processes as the build chooses them."""
    return {**{k: v for k, v in os.environ.items() if k != emit_pool.WORKERS_ENV}, "PYTHONPATH": str(ROOT)}


def _interruptible() -> None:
    """Ctrl-C as a terminal delivers it: a command started in the background by a shell without job control
    (`cmd &` in a script, as CI runners may start the suite) inherits SIGINT ignored, and Python then keeps
    ignoring it, so the build would run to the end."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def split(monkeypatch):
    """The default: the process beside this one is used whenever there is a second core."""
    monkeypatch.delenv(emit_pool.WORKERS_ENV, raising=False)


@forks
@needs_two_cores
@pytest.mark.parametrize("specs", [[PURCHASE_SPEC], sorted(EXAMPLES.glob("*.yaml"))[:3]],
                         ids=["one journey", "three journeys"])
def test_the_split_build_writes_what_one_process_writes(specs, tmp_path: Path, monkeypatch):
    outputs = {}
    for workers in ("1", None):
        if workers:
            monkeypatch.setenv(emit_pool.WORKERS_ENV, workers)
        else:
            monkeypatch.delenv(emit_pool.WORKERS_ENV)
        out = tmp_path / f"out-{workers or 'split'}"
        build_fleet(specs, out, validate=False)
        outputs[workers] = tree(out)
    assert len([p for p in outputs["1"] if p.endswith(".tests.yaml")]) >= len(specs)
    assert outputs[None] == outputs["1"]


@forks
@needs_two_cores
def test_the_costly_part_runs_beside_while_this_process_prepares_and_emits_the_rest(split, purchase_journey):
    here = os.getpid()
    prepared = []

    def emit(journey):
        return [("emit", journey.name, os.getpid())]

    def apart(journey):
        return [("apart", journey.name, os.getpid())]

    emitted = emit_pool.emit_journeys([purchase_journey], emit, apart, lambda: prepared.append(os.getpid()))
    ((mine, theirs),) = emitted
    assert mine == ("emit", "purchase", here) and theirs[:2] == ("apart", "purchase") and theirs[2] != here
    assert prepared == [here]
    assert multiprocessing.active_children() == []


@forks
@needs_two_cores
@pytest.mark.parametrize("failure", ["raises", "is killed"])
def test_when_the_process_beside_fails_this_one_emits_its_part(split, purchase_journey, failure):
    here = os.getpid()

    def apart(journey):
        if os.getpid() != here:
            if failure == "is killed":
                os.kill(os.getpid(), signal.SIGKILL)
            raise ObsgenError("only this process can emit it")
        return [os.getpid()]

    assert emit_pool.emit_journeys([purchase_journey] * 2, lambda journey: [], apart) == [[here], [here]]
    assert multiprocessing.active_children() == []


@forks
@needs_two_cores
def test_an_error_of_the_part_beside_reaches_the_build_as_raised(split, purchase_journey):
    def apart(journey):
        raise ObsgenError("specs/purchase.yaml:3:5: this journey's rule tests cannot be written")

    with pytest.raises(ObsgenError, match=r"specs/purchase\.yaml:3:5: this journey's rule tests cannot be written"):
        emit_pool.emit_journeys([purchase_journey], lambda journey: [], apart)
    assert multiprocessing.active_children() == []


def test_workers_1_emits_everything_here(purchase_journey, monkeypatch):
    here = os.getpid()
    monkeypatch.setenv(emit_pool.WORKERS_ENV, "1")
    both = emit_pool.emit_journeys([purchase_journey], lambda journey: ["emit"], lambda journey: [os.getpid()])
    assert both == [["emit", here]]


@forks
@needs_two_cores
def test_ctrl_c_while_the_rule_tests_are_emitted_beside_leaves_no_output_and_no_process(tmp_path: Path, env):
    (tmp_path / "specs").mkdir()
    shutil.copy(PURCHASE_SPEC, tmp_path / "specs" / "purchase.yaml")
    # Validated: the static checks after the emit keep the build from publishing before Ctrl-C arrives.
    build = subprocess.Popen([sys.executable, "-m", "obsgen", "build", "specs/purchase.yaml", "--out", "generated",
                              "--no-test", "--no-cache", "--progress"], cwd=tmp_path, env=env,
                             stderr=subprocess.PIPE, text=True, start_new_session=True, preexec_fn=_interruptible)
    for line in build.stderr:
        if "emitting rules" in line:  # this process's part has begun: the rule tests are being emitted beside it
            break
    os.killpg(build.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    rest = build.stderr.read()
    assert build.wait(timeout=60) != 0
    assert "Traceback" not in rest, rest
    assert not (tmp_path / "generated").exists()
    with pytest.raises(ProcessLookupError):
        os.killpg(build.pid, 0)  # the process beside is gone with the build


# -- the pool of a larger fleet --------------------------------------------------------------------------


@forks
def test_the_pool_writes_the_serial_builds_bytes(tmp_path: Path, env: dict[str, str]):
    outputs = {}
    for workers in ("1", "2"):
        out = tmp_path / f"out-{workers}"
        result = subprocess.run([sys.executable, "-m", "obsgen", "build", str(EXAMPLES), "--out", str(out),
                                 "--no-validate", "--no-cache"], env={**env, emit_pool.WORKERS_ENV: workers},
                                cwd=tmp_path, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        outputs[workers] = tree(out)
    assert len({p.split("/")[0] for p in outputs["1"] if "/" in p}) == 8, "seven journeys and _fleet"
    assert outputs["1"] == outputs["2"]


@forks
def test_an_error_in_a_worker_reaches_the_build_as_raised(purchase_journey, monkeypatch):
    monkeypatch.setenv(emit_pool.WORKERS_ENV, "2")

    def emit(journey):
        if journey is journeys[2]:
            raise ObsgenError("specs/third.yaml:3:5: this journey cannot be emitted")
        return []

    journeys = [purchase_journey] * 2 + [object()] + [purchase_journey]
    with pytest.raises(ObsgenError, match=r"specs/third\.yaml:3:5: this journey cannot be emitted"):
        emit_pool.emit_journeys(journeys, emit)
    assert emit_pool.emit_journeys([purchase_journey] * 4, lambda j: [j.name]) == [[purchase_journey.name]] * 4


class _Cycle:
    """Garbage that only the cyclic collector frees: it refers to itself."""

    def __init__(self) -> None:
        self.itself = self


def test_journeys_emitted_one_after_another_leave_their_garbage_collected_and_their_output_frozen(monkeypatch):
    """A serial build keeps every journey's artifacts to the end: before the next journey, the last one's garbage is
    collected and what it left frozen, so the collector does not walk every journey's output again and again
    (BENCHMARKS.md, "The collector in a fleet build")."""
    monkeypatch.setenv(emit_pool.WORKERS_ENV, "1")
    garbage: list[weakref.ref] = []
    seen: list[tuple[bool, bool]] = []  # at each emit: (the last journey's garbage is freed, its output is frozen)

    def emit(journey: str) -> list[object]:
        output = [journey]
        seen.append((bool(garbage) and garbage[-1]() is None, gc.get_freeze_count() > frozen_before))
        garbage.append(weakref.ref(_Cycle()))
        return [output]

    frozen_before = gc.get_freeze_count()
    try:
        assert emit_pool.emit_journeys(["a", "b", "c"], emit) == [[["a"]], [["b"]], [["c"]]]
    finally:
        gc.unfreeze()
    assert seen == [(False, False), (True, True), (True, True)]


@forks
def test_ctrl_c_during_the_pooled_emit_leaves_no_output_and_no_worker(tmp_path: Path, env: dict[str, str]):
    specs = tmp_path / "specs"
    shutil.copytree(EXAMPLES, specs)
    build = subprocess.Popen([sys.executable, "-m", "obsgen", "build", str(specs), "--out", str(tmp_path / "out"),
                              "--no-validate", "--no-cache", "--progress"], env={**env, emit_pool.WORKERS_ENV: "2"},
                             stderr=subprocess.PIPE, text=True, start_new_session=True, preexec_fn=_interruptible)
    seen = []
    for line in build.stderr:
        seen.append(line)
        if "emitting rules" in line:
            break
    # At once: the pool is emitting now, and the seven journeys take it well under a second on a quiet
    # machine, so waiting any longer let the build finish before Ctrl-C came.
    os.killpg(build.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    rest = build.stderr.read()
    assert build.wait(timeout=60) != 0
    assert "Traceback" not in "".join(seen) + rest, rest
    assert not (tmp_path / "out").exists()
    with pytest.raises(ProcessLookupError):
        os.killpg(build.pid, 0)  # every worker is gone with the build


@forks
@needs_two_cores
def test_without_a_process_to_be_had_everything_is_emitted_here(split, purchase_journey, monkeypatch):
    def refused(process):
        raise BlockingIOError(11, "Resource temporarily unavailable")  # fork's EAGAIN at a process limit

    monkeypatch.setattr(multiprocessing.get_context("fork").Process, "start", refused)
    here = os.getpid()
    both = emit_pool.emit_journeys([purchase_journey], lambda journey: ["emit"], lambda journey: [os.getpid()])
    assert both == [["emit", here]]


@forks
def test_without_processes_for_a_pool_the_fleet_is_emitted_here(purchase_journey, monkeypatch):
    def refused(*args, **kwargs):
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setenv(emit_pool.WORKERS_ENV, "2")
    monkeypatch.setattr(multiprocessing.get_context("fork"), "Pool", refused)
    here = os.getpid()
    assert emit_pool.emit_journeys([purchase_journey] * 4, lambda journey: [os.getpid()]) == [[here]] * 4
