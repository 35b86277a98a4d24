"""Dependency -> native stack service: the health selector's job names the service."""

from __future__ import annotations

import dataclasses

import pytest

from lab.drill.services import NoServiceFor, stack_service
from obsgen.model import Health
from obsgen.promql import Matcher, Selector


@pytest.mark.parametrize(("dependency", "service"), [
    ("database", "postgres"),
    ("rabbitmq", "rabbitmq"),
    ("celery-worker", "worker"),
    ("payment_gateway", "payment-gateway"),
])
def test_every_purchase_dependency_has_a_service(purchase_journey, dependency, service):
    assert stack_service(purchase_journey.dependency(dependency)) == service


def test_kind_is_the_fallback_without_a_job(purchase_journey):
    database = dataclasses.replace(purchase_journey.dependency("database"), health=Health(Selector("pg_up")))
    assert stack_service(database) == "postgres"


def test_an_unknown_dependency_asks_for_a_service(purchase_journey):
    other = dataclasses.replace(purchase_journey.dependency("payment_gateway"),
                                health=Health(Selector("up", (Matcher("job", "=", "stripe"),))))
    with pytest.raises(NoServiceFor, match="--service"):
        stack_service(other)
