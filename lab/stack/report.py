"""Human-readable output of `obsgen stack` (tables, notes)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from lab.stack.layout import Layout
from lab.stack.runner import ServiceStatus
from obsgen.render import dump_json
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


def status_json(statuses: Sequence[ServiceStatus], compose_only: Mapping[str, str]) -> str:
    """The status for machines: every field of each service, and what runs only in compose."""
    return dump_json({"services": [dataclasses.asdict(status) for status in statuses],
                      "compose_only": dict(compose_only)})


def locations(layout: Layout) -> str:
    """Where this stack keeps its state and reads the rules it loads (both from the current directory
    unless --state-dir / OBSGEN_STACK_DIR say otherwise)."""
    return (f"state directory: {layout.state_dir} (logs in {layout.log_dir})\n"
            f"rules and Alertmanager config from: {layout.generated_dir}\n\n")
