"""Failure-injection knobs: validation, runtime updates, and their effect."""

from __future__ import annotations

import random

import pytest
from recordstore.faults import FaultInjector, FaultKnobs, InjectedFault


def test_knobs_at_zero_never_fail():
    injector = FaultInjector(FaultKnobs())
    for _ in range(1000):
        injector.checkout_faults()
        injector.task_faults("process_order")
        assert injector.payment_outcome() == "approved"


def test_rate_one_always_fails():
    injector = FaultInjector(FaultKnobs(error_rate=1.0, task_failure_rate=1.0, payment_error_rate=1.0))
    with pytest.raises(InjectedFault):
        injector.checkout_faults()
    with pytest.raises(InjectedFault):
        injector.task_faults("process_order")
    assert injector.payment_outcome() == "error"


def test_partial_rate_fails_about_that_often():
    injector = FaultInjector(FaultKnobs(payment_decline_rate=0.3), rng=random.Random(7))
    outcomes = [injector.payment_outcome() for _ in range(2000)]
    declined = outcomes.count("declined") / len(outcomes)
    assert 0.25 < declined < 0.35
    assert set(outcomes) == {"approved", "declined"}


def test_runtime_update_and_validation():
    injector = FaultInjector(FaultKnobs())
    assert injector.update(error_rate=0.5).error_rate == 0.5
    with pytest.raises(ValueError, match="between 0 and 1"):
        injector.update(error_rate=1.5)
    with pytest.raises(ValueError, match="unknown fault knobs"):
        injector.update(explode=1.0)
    assert injector.knobs.error_rate == 0.5  # a rejected update changes nothing


def test_fault_injection_is_off_unless_enabled(monkeypatch):
    """/admin/faults lets anyone who reaches the port break the store: it needs RECORDSTORE_ADMIN_ENABLED=1."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient
    from prometheus_client import CollectorRegistry
    from recordstore.config import load_settings
    from recordstore.web import install_common_routes

    monkeypatch.delenv("RECORDSTORE_ADMIN_ENABLED", raising=False)
    assert load_settings().admin_enabled is False
    monkeypatch.setenv("RECORDSTORE_ADMIN_ENABLED", "1")
    assert load_settings().admin_enabled is True

    app = FastAPI()
    install_common_routes(app, CollectorRegistry(), FaultInjector(FaultKnobs()), admin_enabled=False)
    with TestClient(app) as client:
        assert client.post("/admin/faults", json={"error_rate": 1.0}).status_code in (404, 405)
