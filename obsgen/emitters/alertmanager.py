"""Alertmanager configuration: routes by journey and severity, and inhibition computed from the impact map.

When a dependency's down alert fires, the alerts that fire *because* of it (its symptoms in the
impact map) are inhibited for the same journey, so only the cause pages. Receivers are placeholders
without integrations (valid, and they send nothing); people add their pager and ticket
integrations to them, or merge the journey route, receivers and inhibit_rules into their own config.
The file is checked with `amtool check-config` before it is published.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Sequence

from obsgen.emitters import Artifact
from obsgen.errors import ObsgenError
from obsgen.impact.compute import DependencyImpact, impact_map
from obsgen.model import Journey
from obsgen.render import dump_yaml, header_lines
from obsgen.tools import find_tool, run_tool

CONFIG_PATH = "alertmanager/alertmanager.yaml"
ENV_VAR = "OBSGEN_AMTOOL"
INSTALL_HINT = ("amtool not found. Install it, or point $OBSGEN_AMTOOL at the binary:\n"
                "  Debian/Ubuntu: apt-get install prometheus-alertmanager   (ships /usr/bin/amtool)\n"
                "  elsewhere:     the amtool binary in an Alertmanager release tarball")

# Pages interrupt someone: send fast, repeat while unresolved. Tickets wait for a working day.
SEVERITY_TIMING = {
    "page": {"group_wait": "30s", "group_interval": "5m", "repeat_interval": "4h"},
    "ticket": {"group_wait": "5m", "group_interval": "30m", "repeat_interval": "24h"},
}
GROUP_BY = ["alertname", "journey", "severity"]

NOTES = [
    "Receivers are placeholders with no integration: alerts reach them and go nowhere until you",
    "add one (pagerduty_configs, slack_configs, webhook_configs, ...) under <journey>-page and",
    "<journey>-ticket, or merge route.routes, receivers and inhibit_rules into your own config.",
    "The root receiver is the journey's ticket receiver, so no alert of this file is ever dropped.",
    "inhibit_rules: while a dependency's down alert fires, the alerts its failure causes (the",
    "symptoms in impact/impact.yaml) are held back for the same journey; only the cause pages.",
    "Several environments on one Alertmanager: add your environment label (e.g. cluster) to 'equal'.",
]


def receiver(journey: Journey, severity: str) -> str:
    return f"{journey.name}-{severity}"


def matcher(label: str, value: str) -> str:
    """An Alertmanager equality matcher in its own syntax (double-quoted, escaped value)."""
    return f'{label}="{_escape(value)}"'


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def any_of(label: str, values: Sequence[str]) -> str:
    """A regex matcher for exactly these values (Alertmanager anchors regexes)."""
    alternatives = "|".join(re.sub(r"([^A-Za-z0-9_])", r"\\\1", v) for v in values)
    return f'{label}=~"{_escape(alternatives)}"'


def route(journey: Journey) -> dict:
    child_routes = [{"matchers": [matcher("severity", severity)], "receiver": receiver(journey, severity), **timing}
                    for severity, timing in SEVERITY_TIMING.items()]
    return {
        "receiver": receiver(journey, "ticket"),
        "group_by": GROUP_BY,
        "routes": [{
            "matchers": [matcher("journey", journey.name)],
            "receiver": receiver(journey, "ticket"),  # a journey alert of any other severity still reaches someone
            "routes": child_routes,
        }],
    }


def inhibit_rule(journey: Journey, impact: DependencyImpact) -> dict:
    return {
        "source_matchers": [matcher("alertname", impact.cause.alert), matcher("journey", journey.name)],
        "target_matchers": [matcher("journey", journey.name), any_of("alertname", impact.symptom_alert_names)],
        "equal": ["journey"],
    }


def config(journey: Journey) -> dict:
    impacts = impact_map(journey)
    return {
        "route": route(journey),
        "receivers": [{"name": receiver(journey, severity)} for severity in SEVERITY_TIMING],
        "inhibit_rules": [inhibit_rule(journey, i) for i in impacts.impacts if i.symptoms],
    }


def emit_alertmanager(journey: Journey) -> list[Artifact]:
    header = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header_lines(journey.source) + [""] + NOTES)
    return [Artifact(CONFIG_PATH, header + dump_yaml(config(journey)))]


# -- amtool ------------------------------------------------------------------------------


class AmtoolNotFound(ObsgenError):
    """amtool is not installed or $OBSGEN_AMTOOL points nowhere."""


def find_amtool() -> str:
    """Path of amtool: $OBSGEN_AMTOOL wins over PATH."""
    return find_tool("amtool", ENV_VAR, INSTALL_HINT, AmtoolNotFound)


def run_amtool(args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return run_tool(find_amtool(), args)


_CHECKING = re.compile(r"^Checking '.*?'\s+(?P<verdict>.*)$")


def check_config_file(path: Path) -> list[str]:
    """amtool check-config's complaints about one file; empty when it passes."""
    proc = run_amtool(["check-config", str(path)])
    if proc.returncode == 0:
        return []
    problems = []
    for line in (proc.stdout + proc.stderr).splitlines():
        line = line.strip()
        checking = _CHECKING.match(line)
        if checking:
            line = checking["verdict"]  # "FAILED: <reason>" after the file name
        if line and not line.startswith("amtool: error: failed to validate"):
            problems.append(line.removeprefix("FAILED: "))
    return problems or [f"amtool check-config exited {proc.returncode}"]


def routes_test(path: Path, labels: dict[str, str]) -> list[str]:
    """The receivers an alert with these labels is routed to, as amtool resolves them."""
    proc = run_amtool(["config", "routes", "test", f"--config.file={path}",
                       *(f"{k}={v}" for k, v in sorted(labels.items()))])
    if proc.returncode != 0:
        raise ObsgenError(f"amtool config routes test failed: {(proc.stdout + proc.stderr).strip()}")
    return [name.strip() for name in proc.stdout.strip().split(",") if name.strip()]


def check_config(staged: Path, journey: Journey) -> list[str]:
    return [f"amtool check-config: {CONFIG_PATH}: {problem}" for problem in check_config_file(staged / CONFIG_PATH)]
