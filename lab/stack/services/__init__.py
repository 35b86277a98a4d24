"""The native stack's services, in start order, with their start dependencies."""

from __future__ import annotations

from lab.stack.services.base import Service, ServiceError, StackContext
from lab.stack.services.daemons import Alertmanager, Nginx, PostgresExporter, Prometheus
from lab.stack.services.jaeger import Jaeger
from lab.stack.services.postgres import Postgres
from lab.stack.services.rabbitmq import Epmd, RabbitMQ
from lab.stack.services.store import DEFAULT_WORKER_CONCURRENCY, Api, PaymentGateway, Worker

# Start order; `up` starts a service as soon as its dependencies are ready, so
# independent services come up concurrently.
SERVICES: dict[str, Service] = {service.name: service for service in (
    Postgres(), Epmd(), RabbitMQ(), Jaeger(), PaymentGateway(), Api(), Worker(), Nginx(),
    PostgresExporter(), Alertmanager(), Prometheus(),
)}

# A service waits for these (when they are part of the same `up`); `down` stops in the
# reverse order. nginx and Prometheus tolerate absent upstreams/targets, so they wait for nothing.
START_AFTER: dict[str, tuple[str, ...]] = {
    "postgres": (),
    "epmd": (),
    "rabbitmq": ("epmd",),
    "jaeger": (),
    # The store's processes send their spans to Jaeger from their first request on.
    "payment-gateway": ("jaeger",),
    "api": ("postgres", "rabbitmq", "payment-gateway", "jaeger"),
    "worker": ("postgres", "rabbitmq", "payment-gateway", "jaeger"),
    "nginx": (),
    "postgres-exporter": ("postgres",),
    "alertmanager": (),
    "prometheus": (),
}

# Selecting a service selects these too: RabbitMQ cannot run without its port mapper.
REQUIRES: dict[str, tuple[str, ...]] = {"rabbitmq": ("epmd",)}

# Part of the compose stack only (not installable on this machine).
COMPOSE_ONLY = {
    "grafana": "Grafana is not installable on this machine; it runs only in compose "
               "(stack/docker-compose.yml, http://localhost:3000)",
}

__all__ = ["COMPOSE_ONLY", "DEFAULT_WORKER_CONCURRENCY", "REQUIRES", "SERVICES", "START_AFTER", "Service",
           "ServiceError", "StackContext"]
