"""Grafana: the journey dashboard and the provisioning files that load it."""

from __future__ import annotations

from pathlib import Path

from obsgen.artifacts.grafana import build_dashboard, provisioning
from obsgen.artifacts.base import Artifact
from obsgen.model import Journey
from obsgen.render import dump_json, dump_yaml

GRAFANA_DIR = "grafana"
DASHBOARDS_DIR = f"{GRAFANA_DIR}/dashboards"
PROVISIONING_DIR = f"{GRAFANA_DIR}/provisioning"
DATASOURCES_FILE = f"{PROVISIONING_DIR}/datasources/obsgen.yaml"


def dashboard_path(journey: Journey) -> str:
    return f"{DASHBOARDS_DIR}/{journey.name}.json"


def emit_grafana(journey: Journey) -> list[Artifact]:
    return [
        Artifact(dashboard_path(journey), dump_json(build_dashboard(journey))),
        Artifact(f"{PROVISIONING_DIR}/dashboards/{journey.name}.yaml",
                 dump_yaml(provisioning.dashboard_provider(journey), journey.source)),
        Artifact(DATASOURCES_FILE, dump_yaml(provisioning.datasources(journey), journey.source)),
    ]


def check_dashboards(staged: Path, journey: Journey) -> list[str]:
    """``obsgen lint`` on the staged dashboard: datasource variables, units, descriptions, PromQL that
    parses (promtool), ``$__rate_interval``, counters under rate, unique panel ids, the uid."""
    return lint_dashboard(staged, dashboard_path(journey), (journey,))


def lint_dashboard(staged: Path, path: str, journeys: tuple[Journey, ...]) -> list[str]:
    """Problems the lint finds, judging counters by the types the journeys declare (notes fail nothing)."""
    from obsgen.lint import lint_paths  # lint pulls in promtool; import it only when validating
    from obsgen.lint.declared import journey_types

    report = lint_paths([str(staged / path)], metric_types=journey_types(journeys))
    problems = [f"obsgen lint: {path}: {error.message}" for error in report.errors]
    problems += [f"obsgen lint: {path}: {f.json_path or ''}: [{f.check}] {f.message}" for f in report.failing]
    return problems
