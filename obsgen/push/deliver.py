"""Push a journey's dashboards into its own Grafana folder, changing only what differs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from obsgen.artifacts.built import Dashboard, from_artifacts
from obsgen.artifacts.fleet import delivery_subject
from obsgen.artifacts.layout import OUT_DIR
from obsgen.build.load import load_all, load_in_fleet
from obsgen.build.pipeline import emit_all, emit_fleet
from obsgen.clients.grafana import GrafanaClient, GrafanaError
from obsgen.model import Journey
from obsgen.spec.fleet import resolve_fleet

# Grafana assigns these on save; they say nothing about the dashboard's content.
SERVER_KEYS = ("id", "version")


@dataclass(frozen=True)
class PushResult:
    uid: str
    title: str
    action: str  # created | updated | unchanged
    version: int | None
    url: str


def folder_uid(journey: Journey) -> str:
    return f"obsgen-{journey.name}"[:40]  # Grafana's uid limit


def commit_message(journey: Journey) -> str:
    """Shown in Grafana's version history: which spec, at which content, produced this version."""
    return f"obsgen: {journey.source} sha256:{journey.source_sha256}"


def emitted_dashboards(journey: Journey) -> list[Dashboard]:
    """The dashboards exactly as `obsgen build` would write them (built in memory)."""
    dashboards = list(from_artifacts(emit_all(journey)).dashboards)
    if not dashboards:
        raise GrafanaError(f"journey {journey.name!r}: the build emits no dashboards, so there is nothing to push")
    return dashboards


def index_delivery(specs: Sequence[Path]) -> tuple[Journey, list[Dashboard]]:
    """The index dashboard of these specs built together, and the fleet dressed as a journey whose
    folder ("Journeys") receives it."""
    fleet = resolve_fleet(load_all(specs, Path(OUT_DIR)))
    return delivery_subject(fleet), list(from_artifacts(emit_fleet(fleet)).dashboards)


def deliveries(specs: Sequence[Path], *, index: bool) -> list[tuple[Journey, list[Dashboard]]]:
    """Each spec's journey with its dashboards, named as the committed build names them (generated/ under
    the project: dashboards quote it); with `index`, the index dashboard of the specs built together last."""
    wanted = [(journey, emitted_dashboards(journey)) for journey in map(load_in_fleet, specs)]
    return wanted + [index_delivery(specs)] if index else wanted


def content(dashboard: dict) -> dict:
    return {k: v for k, v in dashboard.items() if k not in SERVER_KEYS}


def ensure_folder(client: GrafanaClient, journey: Journey) -> str:
    uid = folder_uid(journey)
    if client.get_folder(uid) is not None:
        return "exists"
    client.create_folder(uid, journey.title)
    return "created"


def push_dashboard(client: GrafanaClient, journey: Journey, dashboard: Dashboard, *, overwrite: bool) -> PushResult:
    folder = folder_uid(journey)
    stored = client.get_dashboard(dashboard.uid)
    if stored is not None:
        meta = stored.get("meta") or {}
        if content(stored.get("dashboard") or {}) == content(dashboard.model) and meta.get("folderUid") == folder:
            return PushResult(dashboard.uid, dashboard.title, "unchanged", meta.get("version"), meta.get("url", ""))
    ours = {**content(dashboard.model), "id": None}
    saved = client.save_dashboard(ours, folder_uid=folder, message=commit_message(journey), overwrite=overwrite)
    action = "created" if stored is None else "updated"
    return PushResult(dashboard.uid, dashboard.title, action, saved.get("version"), saved.get("url", ""))


def push_journey(client: GrafanaClient, journey: Journey, dashboards: Sequence[Dashboard], *,
                 overwrite: bool = True) -> tuple[str, list[PushResult]]:
    """(what happened to the folder, what happened to each dashboard)."""
    folder_action = ensure_folder(client, journey)
    return folder_action, [push_dashboard(client, journey, d, overwrite=overwrite) for d in dashboards]
