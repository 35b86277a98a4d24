"""Grafana provisioning: the datasources the dashboards reference by fixed uid, and a file provider.

The compose stack mounts (see ``.notes/readme-dashboards.md``)::

    generated/<journey>/grafana/provisioning/datasources -> /etc/grafana/provisioning/datasources
    generated/<journey>/grafana/provisioning/dashboards  -> /etc/grafana/provisioning/dashboards
    generated/<journey>/grafana/dashboards               -> /var/lib/grafana/dashboards/<journey>

Datasource URLs are the compose service names. The Prometheus datasource turns an exemplar's
``trace_id`` label into a link to the Jaeger datasource, which is how a latency spike leads to a trace.
"""

from __future__ import annotations

import hashlib

from obsgen.model import Fleet, Journey
from obsgen.promql import format_duration

PROMETHEUS_UID, ALERTMANAGER_UID, JAEGER_UID = "obsgen-prometheus", "obsgen-alertmanager", "obsgen-jaeger"
PROMETHEUS_NAME, ALERTMANAGER_NAME, JAEGER_NAME = "Prometheus", "Alertmanager", "Jaeger"
PROMETHEUS_URL, ALERTMANAGER_URL, JAEGER_URL = "http://prometheus:9090", "http://alertmanager:9093", "http://jaeger:16686"
DASHBOARDS_ROOT = "/var/lib/grafana/dashboards"
EXEMPLAR_TRACE_LABEL = "trace_id"
MAX_UID = 40


def short_uid(prefix: str, name: str) -> str:
    """``prefix-name``, or a hashed form of it when Grafana's 40-character limit would cut it."""
    uid = f"{prefix}-{name}"
    if len(uid) <= MAX_UID:
        return uid
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{uid[:MAX_UID - 9]}-{digest}"


def folder_uid(journey: Journey) -> str:
    # Grafana before 11 stores folders with dashboards: the folder needs a uid of its own.
    return short_uid("obsgen-folder", journey.name)


def datasources(journey: Journey) -> dict:
    return {
        "apiVersion": 1,
        "datasources": [
            {
                "name": PROMETHEUS_NAME, "uid": PROMETHEUS_UID, "type": "prometheus", "access": "proxy",
                "url": PROMETHEUS_URL, "isDefault": True, "editable": False,
                "jsonData": {
                    "httpMethod": "POST",
                    # $__rate_interval is at least four scrape intervals: tell Grafana the real one.
                    "timeInterval": format_duration(journey.scrape_interval),
                    "manageAlerts": True,
                    "alertmanagerUid": ALERTMANAGER_UID,
                    "exemplarTraceIdDestinations": [{"name": EXEMPLAR_TRACE_LABEL, "datasourceUid": JAEGER_UID}],
                },
            },
            {
                "name": ALERTMANAGER_NAME, "uid": ALERTMANAGER_UID, "type": "alertmanager", "access": "proxy",
                "url": ALERTMANAGER_URL, "editable": False,
                "jsonData": {"implementation": "prometheus", "handleGrafanaManagedAlerts": False},
            },
            {
                "name": JAEGER_NAME, "uid": JAEGER_UID, "type": "jaeger", "access": "proxy",
                "url": JAEGER_URL, "editable": False,
                "jsonData": {"nodeGraph": {"enabled": True}},
            },
        ],
    }


INDEX_FOLDER, INDEX_FOLDER_UID = "Journeys", "obsgen-folder-index"
# Where compose mounts the whole generated/ directory: the fleet's providers read every journey's
# dashboards from there, so one pair of provisioning mounts serves any number of journeys.
GENERATED_MOUNT = "/etc/obsgen/generated"


def fleet_dashboard_providers(fleet: Fleet, fleet_dir: str, dashboards_dir: str) -> dict:
    """A provider per journey (its folder) and one for the index, reading generated/ as mounted."""
    providers = [_provider(f"obsgen-{j.name}", j.title, folder_uid(j), f"{GENERATED_MOUNT}/{j.name}/{dashboards_dir}")
                 for j in fleet.journeys]
    providers.append(_provider("obsgen-index", INDEX_FOLDER, INDEX_FOLDER_UID,
                               f"{GENERATED_MOUNT}/{fleet_dir}/{dashboards_dir}"))
    return {"apiVersion": 1, "providers": providers}


def fleet_datasources(fleet: Fleet) -> dict:
    """The journeys' datasources, with the shortest scrape interval among them ($__rate_interval)."""
    return datasources(min(fleet.journeys, key=lambda j: j.scrape_interval))


def dashboard_provider(journey: Journey) -> dict:
    return {"apiVersion": 1, "providers": [
        _provider(f"obsgen-{journey.name}", journey.title, folder_uid(journey), f"{DASHBOARDS_ROOT}/{journey.name}")]}


def _provider(name: str, folder: str, folder_uid_: str, path: str) -> dict:
    return {
            "name": name,
            "orgId": 1,
            "folder": folder,
            "folderUid": folder_uid_,
            "type": "file",
            # Generated files are the source of truth: the UI may not save over them or delete them.
            "disableDeletion": True,
            "allowUiUpdates": False,
            "updateIntervalSeconds": 30,
            "options": {"path": path, "foldersFromFilesStructure": False},
    }
