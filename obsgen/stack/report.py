"""Human-readable output of `obsgen stack` (tables, notes)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from obsgen.stack.layout import Layout
from obsgen.stack.runner import ServiceStatus

COLUMNS = ("SERVICE", "STATE", "PID", "USER", "LISTENS ON")


def status_table(statuses: Sequence[ServiceStatus], compose_only: Mapping[str, str]) -> str:
    rows = [COLUMNS] + [
        (status.name, status.state, str(status.pid or "-"), status.user or "-", status.endpoint)
        for status in statuses
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(COLUMNS) - 1)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1]
             for row in rows]
    notes = [f"  {status.name}: {status.detail}" for status in statuses if status.detail]
    if notes:
        lines += ["", "Notes:", *notes]
    if compose_only:
        lines += ["", "Compose only (not on this machine):", *(f"  {name}: {text}" for name, text in compose_only.items())]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def locations(layout: Layout) -> str:
    """Where this stack keeps its state and reads the rules it loads (both from the current directory
    unless --state-dir / OBSGEN_STACK_DIR say otherwise)."""
    return (f"state directory: {layout.state_dir} (logs in {layout.log_dir})\n"
            f"rules and Alertmanager config from: {layout.generated_dir}\n\n")
