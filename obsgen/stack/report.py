"""Human-readable output of `obsgen stack` (tables, notes)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from obsgen.stack.runner import ServiceStatus
from obsgen.table import table

COLUMNS = ("SERVICE", "STATE", "PID", "USER", "LISTENS ON")


def status_table(statuses: Sequence[ServiceStatus], compose_only: Mapping[str, str]) -> str:
    lines = table(COLUMNS, [(status.name, status.state, str(status.pid or "-"), status.user or "-", status.endpoint)
                            for status in statuses])
    notes = [f"  {status.name}: {status.detail}" for status in statuses if status.detail]
    if notes:
        lines += ["", "Notes:", *notes]
    if compose_only:
        lines += ["", "Compose only (not on this machine):", *(f"  {name}: {text}" for name, text in compose_only.items())]
    return "\n".join(line.rstrip() for line in lines) + "\n"
