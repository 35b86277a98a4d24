"""Which stack service to stop for a dependency: the one place that maps spec dependencies to the
native stack's processes.

The stack contract names each Prometheus job after what it watches, and the native stack names
its services the same way (`postgres`, `rabbitmq`, `worker`, `payment-gateway`). So the `job` that
a dependency's health selector reads *is* the service to stop. For PostgreSQL that is the database
itself, not postgres_exporter (which scrapes it as job `postgres` and keeps reporting `pg_up 0`):
exactly the failure the down alert is meant for.
"""

from __future__ import annotations

from lab.stack.services import SERVICES
from obsgen.errors import ObsgenError
from obsgen.model import Dependency

JOB_LABEL = "job"
# Health selectors without a job matcher: fall back on the dependency's kind.
SERVICE_BY_KIND = {"postgresql": "postgres", "rabbitmq": "rabbitmq"}


class NoServiceFor(ObsgenError):
    pass


def health_job(dep: Dependency) -> str | None:
    return next((m.value for m in dep.health.selector.matchers if m.label == JOB_LABEL and m.op == "="), None)


def stack_service(dep: Dependency, services=SERVICES) -> str:
    job = health_job(dep)
    if job in services:
        return job
    by_kind = SERVICE_BY_KIND.get(dep.kind)
    if by_kind in services:
        return by_kind
    raise NoServiceFor(
        f"dependency {dep.name} ({dep.kind}, health {dep.health.healthy()}) matches no native stack service "
        f"({', '.join(services)}); name one with --service")
