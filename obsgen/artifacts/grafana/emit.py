"""Grafana: the journey dashboard and the provisioning files that load it; for the fleet, the index
dashboard and the provisioning of one Grafana that shows every journey."""

from __future__ import annotations

from pathlib import Path
from typing import ContextManager

from obsgen import imports
from obsgen.artifacts.base import Artifact, ArtifactKind, PreparedCheck
from obsgen.artifacts.fleet import fleet_source
from obsgen.artifacts.grafana import provisioning
from obsgen.artifacts.layout import (DASHBOARD_PROVIDERS_DIR, DASHBOARDS_DIR, DATASOURCES_FILE, FLEET_DIR,
                                     INDEX_DASHBOARD_PATH, dashboard_path)
from obsgen.model import Fleet, Journey
from obsgen.render import dump_json, dump_yaml

# Imported when first used rather than with this module: grafanalib's classes take ~70 ms to load and the lint
# ~15 ms, which a build of a few journeys spends while their rule tests are emitted on another core (KIND.load,
# obsgen.build.emit_pool).
_DASHBOARD = "obsgen.artifacts.grafana.dashboard"
_INDEX = "obsgen.artifacts.grafana.index"
_LATE = (_DASHBOARD, _INDEX, "obsgen.lint", "obsgen.lint.declared")


def load_late() -> None:
    for module in _LATE:
        imports.late(module)


def emit_grafana(journey: Journey) -> list[Artifact]:
    return [
        Artifact(dashboard_path(journey.name), dump_json(imports.late(_DASHBOARD).build_dashboard(journey))),
        Artifact(f"{DASHBOARD_PROVIDERS_DIR}/{journey.name}.yaml",
                 dump_yaml(provisioning.dashboard_provider(journey), journey.source)),
        Artifact(DATASOURCES_FILE, dump_yaml(provisioning.datasources(journey), journey.source)),
    ]


def lint_staged_dashboard(staged: Path, subject: Journey | Fleet) -> list[str]:
    """``obsgen lint`` on the staged dashboard (a journey's own, or the fleet's index with every journey's
    metric types): datasource variables, units, descriptions, PromQL that parses (promtool),
    ``$__rate_interval``, counters under rate, unique panel ids, the uid."""
    journeys = subject.journeys if isinstance(subject, Fleet) else (subject,)
    return lint_dashboard(staged, linted_dashboard(subject), journeys)


def linted_dashboard(subject: Journey | Fleet) -> str:
    """The dashboard a directory's lint reads: the journey's own, or the fleet's index."""
    return INDEX_DASHBOARD_PATH if isinstance(subject, Fleet) else dashboard_path(subject.name)


def parsed_dashboard_queries(directories: list[tuple[Path, Journey | Fleet]]) -> ContextManager[None]:
    """Every staged dashboard's queries (each journey's and the fleet's index) parsed by one promtool run, for
    all their lints."""
    from obsgen.lint import dashboard_queries  # late, as in lint_dashboard
    from obsgen.tools import promtool

    paths = [str(staged / linted_dashboard(subject)) for staged, subject in directories]
    return promtool.expressions_parsed(dashboard_queries(paths))


# One check for a journey's directory and the fleet's: their dashboards' queries join one promtool parse.
check_dashboards = PreparedCheck(lint_staged_dashboard, parsed_dashboard_queries)


def lint_dashboard(staged: Path, path: str, journeys: tuple[Journey, ...]) -> list[str]:
    """Problems the lint finds, judging counters by the types the journeys declare (notes fail nothing)."""
    from obsgen.lint import lint_paths  # late (_LATE): the lint is not needed to emit
    from obsgen.lint.declared import journey_types

    report = lint_paths([str(staged / path)], metric_types=journey_types(journeys))
    problems = [f"obsgen lint: {path}: {error.message}" for error in report.errors]
    problems += [f"obsgen lint: {path}: {f.json_path or ''}: [{f.check}] {f.message}" for f in report.failing]
    return problems


def emit_index_dashboard(fleet: Fleet) -> list[Artifact]:
    return [Artifact(INDEX_DASHBOARD_PATH, dump_json(imports.late(_INDEX).build_index_dashboard(fleet)))]


def emit_grafana_provisioning(fleet: Fleet) -> list[Artifact]:
    """Provisioning for one Grafana that shows every journey and the index (compose mounts these)."""
    source = fleet_source(fleet)
    return [
        Artifact(f"{DASHBOARD_PROVIDERS_DIR}/obsgen.yaml",
                 dump_yaml(provisioning.fleet_dashboard_providers(fleet, FLEET_DIR, DASHBOARDS_DIR), source)),
        Artifact(DATASOURCES_FILE, dump_yaml(provisioning.fleet_datasources(fleet), source)),
    ]


def emit_fleet_grafana(fleet: Fleet) -> list[Artifact]:
    return emit_index_dashboard(fleet) + emit_grafana_provisioning(fleet)


KIND = ArtifactKind("dashboards", emit_grafana, (check_dashboards,), emit_fleet_grafana, (check_dashboards,),
                    load=load_late)
