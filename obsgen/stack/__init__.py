"""The reference stack, natively: PostgreSQL, RabbitMQ, nginx, the record store, exporters,
Prometheus and Alertmanager as local processes under one state directory (`obsgen stack`)."""

from obsgen.stack.ports import CONTRACT_PORTS, Ports
from obsgen.stack.runner import (
    ServiceStatus,
    Stack,
    StackError,
    start_service,
    stop_service,
)

__all__ = ["CONTRACT_PORTS", "Ports", "ServiceStatus", "Stack", "StackError", "start_service", "stop_service"]
