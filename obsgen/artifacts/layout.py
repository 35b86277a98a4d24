"""Every directory and shared path of the output, defined once.

Paths are relative to a journey's output directory (generated/<journey>/) or the fleet's
(generated/_fleet/). The kinds write there, the build publishes there, and the tools that read a
build (verify, diff, push, the delivery targets) find the files by these names. A file name only its
own kind uses (impact/impact.svg, tests/<journey>.calendar.tests.yaml) is defined by that kind.
"""

from __future__ import annotations

from obsgen.spec.fleet import FLEET_NAME

OUT_DIR = "generated"  # the project's build output when no --out names another
FLEET_DIR = "_fleet"  # journey names start with a letter, so no journey can write here
FLEET_MANIFEST_PATH = "fleet.yaml"  # which journeys were built together (obsgen.build.membership)

RULES_DIR = "prometheus"
RULE_FILE_SUFFIX = ".rules.yaml"

GRAFANA_DIR = "grafana"
DASHBOARDS_DIR = f"{GRAFANA_DIR}/dashboards"
PROVISIONING_DIR = f"{GRAFANA_DIR}/provisioning"
DASHBOARD_PROVIDERS_DIR = f"{PROVISIONING_DIR}/dashboards"
DATASOURCES_FILE = f"{PROVISIONING_DIR}/datasources/obsgen.yaml"
INDEX_DASHBOARD_PATH = f"{DASHBOARDS_DIR}/{FLEET_NAME}.json"  # the fleet's index of every journey

ALERTMANAGER_CONFIG_PATH = "alertmanager/alertmanager.yaml"
IMPACT_DIR = "impact"
RUNBOOK_DIR = "runbook"
TESTS_DIR = "tests"
TEST_FILE_SUFFIX = ".tests.yaml"

TARGETS_DIR = "targets"  # one directory per delivery target: targets/<name>/
MIXIN_DASHBOARDS_DIR = "dashboards"  # inside targets/mixin/, where mixin.libsonnet imports them from


def dashboard_path(journey_name: str) -> str:
    return f"{DASHBOARDS_DIR}/{journey_name}.json"


def runbook_path(journey_name: str) -> str:
    return f"{RUNBOOK_DIR}/{journey_name}.md"


def target_dir(target_name: str) -> str:
    return f"{TARGETS_DIR}/{target_name}"
