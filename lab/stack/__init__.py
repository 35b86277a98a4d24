"""The reference stack, natively: PostgreSQL, RabbitMQ, nginx, the record store, exporters,
Prometheus and Alertmanager as local processes under one state directory (`obsgen stack`)."""

import importlib

# Loaded on first use (PEP 562): `obsgen build` reads lab.stack.layout to learn whether a stack
# exists at all, and must not pay ~0.2 s for the runner when none does.
_EXPORTS = {
    "CONTRACT_PORTS": "lab.stack.ports",
    "Ports": "lab.stack.ports",
    "ServiceStatus": "lab.stack.runner",
    "Stack": "lab.stack.runner",
    "StackError": "lab.stack.runner",
    "start_service": "lab.stack.runner",
    "stop_service": "lab.stack.runner",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
