"""The suite's units of work under pytest-xdist (tests/parallel.py): a shared stack is never made twice."""

from __future__ import annotations

import ast
from types import SimpleNamespace

import pytest

from tests import parallel
from tests.conftest import PROCESS_FIXTURES, ROOT


@pytest.mark.parametrize(("nodeid", "unit"), [
    ("tests/live/test_drill.py::test_rabbitmq_drill_matches_the_impact_map", "tests/live/"),
    ("tests/live/test_verify.py::test_verify_table_says_ok", "tests/live/"),
    ("tests/store/test_integration.py::test_a[x]", "tests/store/"),
    ("tests/package/test_wheel.py::TestWheel::test_b", "tests/package/"),
    ("tests/ruletests/test_extended.py::test_c[purchase]", "tests/ruletests/test_extended.py"),
    ("tests/ruletests/test_extended.py::Cls::test_d", "tests/ruletests/test_extended.py"),
    ("tests/livelier/test_e.py::test_f", "tests/livelier/test_e.py"),
    ("tests/live/broker/test_broker_restart.py::test_g", "tests/live/broker/test_broker_restart.py"),
    ("tests/live/queue/test_queue_drills.py::test_h", "tests/live/queue/test_queue_drills.py"),
])
def test_a_unit_of_work_is_a_shared_stacks_directory_or_else_a_module(nodeid, unit):
    assert parallel.unit_of_work(nodeid) == unit


def _session_fixtures(conftest) -> set[str]:
    tree = ast.parse(conftest.read_text())
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
            for decorator in node.decorator_list
            if isinstance(decorator, ast.Call) and any(k.arg == "scope" and getattr(k.value, "value", None) == "session"
                                                      for k in decorator.keywords)}


@pytest.mark.parametrize("directory", parallel.SESSION_STACK_DIRECTORIES)
def test_each_shared_directory_holds_a_session_fixture_that_starts_processes(directory):
    assert _session_fixtures(ROOT / directory / "conftest.py") & PROCESS_FIXTURES


def test_live_tests_are_those_under_tests_live():
    assert parallel.is_live("tests/live/test_traces.py::test_x")
    assert parallel.is_live("tests/live/broker/test_broker_restart.py::test_g")
    assert not parallel.is_live("tests/livelier/test_e.py::test_f")
    assert not parallel.is_live("tests/stack/test_native_stack.py::test_y")


COLLECTED = ["tests/build/test_a.py::test_1", "tests/live/broker/test_broker_restart.py::test_g",
             "tests/live/test_drill.py::test_d", "tests/spec/test_b.py::test_2", "tests/spec/test_b.py::test_3",
             "tests/live/test_verify.py::test_v", "tests/rules/test_c.py::test_4"]
SLOW = {"tests/spec/test_b.py::test_3", "tests/rules/test_c.py::test_4"}


def _items(nodeids: list[str]) -> list[SimpleNamespace]:
    return [SimpleNamespace(nodeid=nodeid, get_closest_marker=lambda name, nodeid=nodeid: (
        name == "slow" and nodeid in SLOW) or None) for nodeid in nodeids]


def test_a_worker_runs_the_shared_live_stack_first_then_other_live_tests_then_slow_units_then_the_rest(monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    items = _items(COLLECTED)
    parallel.work_order(items)
    assert [item.nodeid for item in items] == [
        "tests/live/test_drill.py::test_d", "tests/live/test_verify.py::test_v",
        "tests/live/broker/test_broker_restart.py::test_g",
        "tests/spec/test_b.py::test_2", "tests/spec/test_b.py::test_3", "tests/rules/test_c.py::test_4",
        "tests/build/test_a.py::test_1"]


def test_one_process_keeps_the_collected_order(monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    items = _items(COLLECTED)
    parallel.work_order(items)
    assert [item.nodeid for item in items] == COLLECTED


def test_the_live_units_are_the_shared_stack_and_each_module_below_it():
    assert parallel.live_units() == {"tests/live/", "tests/live/broker/test_broker_restart.py",
                                     "tests/live/queue/test_queue_drills.py"}


def test_auto_gives_a_worker_per_core_and_one_per_live_unit(monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_AUTO_NUM_WORKERS", raising=False)
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0, 1})
    assert parallel.auto_workers() == 2 + len(parallel.live_units())
    monkeypatch.setenv("PYTEST_XDIST_AUTO_NUM_WORKERS", "2")
    assert parallel.auto_workers() is None


class _Node:
    shutting_down = False

    def __init__(self, index: int):
        self.gateway = SimpleNamespace(id=f"gw{index}")
        self.sent: list[list[int]] = []

    def send_runtest_some(self, indices):
        self.sent.append(list(indices))

    def shutdown(self):
        self.shutting_down = True


DRILLS = ["tests/live/queue/test_queue_drills.py::test_a", "tests/live/queue/test_queue_drills.py::test_b",
          "tests/live/queue/test_queue_drills.py::test_c"]
OTHERS = [f"tests/spec/test_{name}.py::test_1" for name in "uvwxyz"]


def _scheduler(nodeids: list[str], workers: int) -> tuple[parallel.SuiteScheduling, list[_Node]]:
    values = {"dist": "load", "tx": ["popen"] * workers}
    config = SimpleNamespace(getvalue=values.__getitem__, option=SimpleNamespace(loadscopereorder=False))
    scheduler = parallel.make_scheduler(config, None)
    nodes = [_Node(index) for index in range(workers)]
    for node in nodes:
        scheduler.add_node(node)
        scheduler.add_node_collection(node, nodeids)
    scheduler.schedule()
    return scheduler, nodes


def test_a_live_worker_gets_no_other_unit_until_its_last_live_test_starts(monkeypatch):
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    scheduler, [node] = _scheduler(DRILLS + OTHERS, workers=1)
    assert node.sent == [[0, 1, 2]]  # the drills alone, although xdist gives every worker two units at the start
    scheduler.mark_test_complete(node, 0)
    assert node.sent == [[0, 1, 2]]
    scheduler.mark_test_complete(node, 1)  # the last drill can start only with a next test to go to
    assert node.sent == [[0, 1, 2], [3]] and not node.shutting_down


def test_a_live_worker_stops_after_its_live_tests_when_the_other_workers_keep_every_core_busy(monkeypatch):
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    scheduler, [live, first, second] = _scheduler(DRILLS + OTHERS, workers=3)
    assert live.sent == [[0, 1, 2]] and first.sent and second.sent
    scheduler.mark_test_complete(live, 0)
    scheduler.mark_test_complete(live, 1)
    assert live.sent == [[0, 1, 2]] and live.shutting_down  # runs its last drill, then ends
    assert scheduler.workqueue  # ... although units are left: the other two take them


def test_a_worker_without_live_tests_is_given_two_units_at_the_start_as_xdist_does(monkeypatch):
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    scheduler, [node] = _scheduler(OTHERS, workers=1)
    assert node.sent == [[0], [1]]
