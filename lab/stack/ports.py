"""Loopback ports of the reference stack.

The defaults are the shared stack contract (the store, compose, the native runner and
specs/purchase.yaml all rely on them). Tests and parallel stacks override them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping


@dataclasses.dataclass(frozen=True)
class Ports:
    gateway: int = 8000
    api: int = 8001
    payment_gateway: int = 8002
    worker_metrics: int = 9808
    postgres: int = 55432
    postgres_exporter: int = 9187
    rabbitmq: int = 5672
    rabbitmq_prometheus: int = 15692
    prometheus: int = 9090
    alertmanager: int = 9093
    jaeger_query: int = 16686
    jaeger_otlp_grpc: int = 4317
    jaeger_otlp_http: int = 4318
    # Not in the contract: the Erlang port mapper and RabbitMQ's distribution port are
    # internals of the native RabbitMQ, kept per stack so two stacks never share them.
    epmd: int = 4369
    # Jaeger's query API over gRPC: always on in Jaeger, used by nothing in the stack.
    jaeger_query_grpc: int = 16685

    @property
    def rabbitmq_dist(self) -> int:
        # RabbitMQ's own convention: distribution port = AMQP port + 20000.
        return self.rabbitmq + 20000

    def with_overrides(self, overrides: Mapping[str, int]) -> Ports:
        known = {field.name for field in dataclasses.fields(self)}
        normalised = {name.replace("-", "_"): int(port) for name, port in overrides.items()}
        unknown = sorted(set(normalised) - known)
        if unknown:
            raise ValueError(f"unknown port name(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        return dataclasses.replace(self, **normalised)

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


CONTRACT_PORTS = Ports()


def parse_port_overrides(items: list[str] | tuple[str, ...]) -> dict[str, int]:
    """Parse `name=port` strings (CLI `--port api=18001`)."""
    overrides: dict[str, int] = {}
    for item in items:
        name, separator, value = item.partition("=")
        if not separator or not value.strip().isdigit():
            raise ValueError(f"expected NAME=PORT, got {item!r}")
        overrides[name.strip()] = int(value)
    return overrides


# Services that run only in compose (no Debian package here), with their contract ports.
COMPOSE_ONLY_PORTS: dict[str, tuple[int, ...]] = {
    "grafana": (3000,),
}
