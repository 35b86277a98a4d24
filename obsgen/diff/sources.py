"""Where the 'before' side of a diff comes from: a built directory, or a running Grafana."""

from __future__ import annotations

import json
from pathlib import Path

from obsgen.artifacts.built import Dashboard, DeliveryInputs, from_directory
from obsgen.artifacts.layout import RULES_DIR
from obsgen.clients.grafana import GrafanaClient
from obsgen.model import Journey


def journey_directory(against: Path, journey: Journey) -> Path:
    """Accept the journey's own directory or the output root that holds it (generated/)."""
    nested = against / journey.name
    if not (against / RULES_DIR).is_dir() and nested.is_dir():
        return nested
    return against


def from_built_directory(against: Path, journey: Journey) -> DeliveryInputs:
    directory = journey_directory(against, journey)
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: no such directory (build it first, or pass --against)")
    return from_directory(directory)


def from_grafana(client: GrafanaClient, wanted: DeliveryInputs) -> DeliveryInputs:
    """The deployed versions of the dashboards a fresh build has (same uids)."""
    dashboards = []
    for ours in wanted.dashboards:
        stored = client.get_dashboard(ours.uid)
        if stored is not None:
            model = stored.get("dashboard") or {}
            dashboards.append(Dashboard(ours.name, model, json.dumps(model)))
    return DeliveryInputs((), tuple(dashboards))
