"""The Alertmanager kind: a journey's configuration, the fleet's (every journey, the shared dependencies),
each checked by `amtool check-config` before it is published."""

from __future__ import annotations

from obsgen.artifacts.alertmanager.amtool import config_problems
from obsgen.artifacts.alertmanager.config import FLEET_NOTES, NOTES, render_config
from obsgen.artifacts.base import Artifact, ArtifactKind, FileCheck
from obsgen.artifacts.fleet import fleet_source
from obsgen.artifacts.layout import ALERTMANAGER_CONFIG_PATH, FLEET_DIR
from obsgen.model import Fleet, Journey


def emit_alertmanager(journey: Journey) -> list[Artifact]:
    return [Artifact(ALERTMANAGER_CONFIG_PATH, render_config([journey], journey.source, NOTES))]


def emit_fleet_alertmanager(fleet: Fleet) -> list[Artifact]:
    return [Artifact(ALERTMANAGER_CONFIG_PATH, render_config(fleet.journeys, fleet_source(fleet), FLEET_NOTES))]


def config_check(shown_as: str) -> FileCheck:
    """amtool check-config on a staged directory's config, reported as published at shown_as."""
    return FileCheck(lambda staged: [staged / ALERTMANAGER_CONFIG_PATH], config_problems,
                     lambda staged, file, problem: f"amtool check-config: {shown_as}: {problem}")


check_config = config_check(ALERTMANAGER_CONFIG_PATH)
# The same check for the fleet's configuration (one amtool run for the whole build), named as published.
check_fleet_config = config_check(f"{FLEET_DIR}/{ALERTMANAGER_CONFIG_PATH}")

KIND = ArtifactKind("Alertmanager", emit_alertmanager, (check_config,), emit_fleet_alertmanager, (check_fleet_config,))
