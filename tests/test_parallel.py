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
             "tests/live/test_drill.py::test_d", "tests/spec/test_b.py::test_2", "tests/live/test_verify.py::test_v"]


def test_a_worker_runs_the_shared_live_stack_first_then_other_live_tests_then_the_rest_as_collected(monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    items = [SimpleNamespace(nodeid=nodeid) for nodeid in COLLECTED]
    parallel.live_first(items)
    assert [item.nodeid for item in items] == [
        "tests/live/test_drill.py::test_d", "tests/live/test_verify.py::test_v",
        "tests/live/broker/test_broker_restart.py::test_g",
        "tests/build/test_a.py::test_1", "tests/spec/test_b.py::test_2"]


def test_one_process_keeps_the_collected_order(monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    items = [SimpleNamespace(nodeid=nodeid) for nodeid in COLLECTED]
    parallel.live_first(items)
    assert [item.nodeid for item in items] == COLLECTED
