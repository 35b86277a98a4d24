"""Alertmanager configuration: routes by journey and severity, and inhibition computed from the impact map.

When a dependency's down alert fires, the alerts that fire *because* of it (its symptoms in the
impact map) are inhibited for the same journey, so only the cause pages; after it resolves, its
RecentlyDown companion inhibits those still burning on the outage's errors (obsgen/rules/recently_down.py,
docs/drills.md). Receivers are placeholders without integrations (valid, and they send nothing);
people add their pager and ticket integrations to them, or merge the journey route, receivers and inhibit_rules into their own config.
The file is checked with `amtool check-config` before it is published.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Sequence

from obsgen.emitters import Artifact
from obsgen.errors import ObsgenError
from obsgen.impact.compute import DependencyImpact, impact_map
from obsgen.model import Journey, SharedDependency
from obsgen.render import dump_yaml, header_lines
from obsgen.rules.recently_down import INHIBITS, SEVERITY as COMPANION_SEVERITY, held_back, reset_periods
from obsgen.tools import AMTOOL_ENV, find_tool, run_tool
from obsgen.validation import FileCheck

CONFIG_PATH = "alertmanager/alertmanager.yaml"
ENV_VAR = AMTOOL_ENV
INSTALL_HINT = ("amtool not found: in an obsgen checkout run `scripts/go-tools install amtool` (pinned); elsewhere "
                "`apt-get install prometheus-alertmanager` or amtool from an Alertmanager release at "
                "https://prometheus.io/download/ on PATH, or point $OBSGEN_AMTOOL at an amtool binary")

# Pages interrupt someone: send fast, repeat while unresolved. Tickets wait for a working day.
SEVERITY_TIMING = {
    "page": {"group_wait": "30s", "group_interval": "5m", "repeat_interval": "4h"},
    "ticket": {"group_wait": "5m", "group_interval": "30m", "repeat_interval": "24h"},
}
GROUP_BY = ["alertname", "journey", "severity"]
SHARED_RECEIVER = "shared-dependencies"
# Root of a multi-journey config: only alerts obsgen did not generate reach it.
UNROUTED_RECEIVER = "unrouted"
# Recently-down companions only inhibit: they go to this receiver, which must never get an integration.
INHIBIT_ONLY_RECEIVER = "obsgen:inhibit-only"

NOTES = [
    "Receivers are placeholders with no integration: alerts reach them and go nowhere until you",
    "add one (pagerduty_configs, slack_configs, webhook_configs, ...) under <journey>-page and",
    "<journey>-ticket, or merge route.routes, receivers and inhibit_rules into your own config.",
    "The root receiver is the journey's ticket receiver, so no alert of this file is ever dropped.",
    "inhibit_rules: while a dependency's down alert fires, the alerts its failure causes (the",
    "symptoms in impact/impact.yaml) are held back for the same journey; only the cause pages.",
    "After it resolves, its <Dependency>RecentlyDown companion holds them back while their windows still",
    "hold the outage's errors (severity none, receiver obsgen:inhibit-only: never add an integration).",
    "Several environments on one Alertmanager: add your environment label (e.g. cluster) to 'equal'.",
    "A dependency other journeys of the build share pages once, without a journey label, through",
    "shared-dependencies:page; with several journeys, load _fleet/alertmanager/alertmanager.yaml.",
]


def receiver(journey: Journey, severity: str) -> str:
    return f"{journey.name}-{severity}"


def shared_receiver(severity: str) -> str:
    # ':' is not allowed in journey names, so no journey's receiver can take this name.
    return f"{SHARED_RECEIVER}:{severity}"


def matcher(label: str, value: str) -> str:
    """An Alertmanager equality matcher in its own syntax (double-quoted, escaped value)."""
    return f'{label}="{_escape(value)}"'


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def any_of(label: str, values: Sequence[str]) -> str:
    """A regex matcher for exactly these values (Alertmanager anchors regexes)."""
    alternatives = "|".join(re.sub(r"([^A-Za-z0-9_])", r"\\\1", v) for v in values)
    return f'{label}=~"{_escape(alternatives)}"'


def _by_severity(name) -> list[dict]:
    return [{"matchers": [matcher("severity", severity)], "receiver": name(severity), **timing}
            for severity, timing in SEVERITY_TIMING.items()]


def journey_route(journey: Journey) -> dict:
    silent = {"matchers": [matcher("severity", COMPANION_SEVERITY)], "receiver": INHIBIT_ONLY_RECEIVER}
    route = {
        "matchers": [matcher("journey", journey.name)],
        "receiver": receiver(journey, "ticket"),  # a journey alert of any other severity still reaches someone
        "routes": [silent] + _by_severity(lambda severity: receiver(journey, severity)),
    }
    if journey.dims:  # one notification per cluster (or other dimension value): it says which one burns
        route["group_by"] = GROUP_BY + list(journey.dims)
    return route


def shared_route(shared: Sequence[SharedDependency]) -> dict:
    """Shared dependencies' cause alerts carry no journey: they go to whoever runs shared infrastructure."""
    return {
        "matchers": [matcher("journey", ""), any_of("alertname", [n for dep in shared for n in dep.alert_names])],
        "receiver": shared_receiver("ticket"),
        "routes": _by_severity(shared_receiver),
    }


def shared_dependencies(journeys: Sequence[Journey]) -> list[SharedDependency]:
    found = {d.shared.name: d.shared for j in journeys for d in j.dependencies if d.shared is not None}
    return [found[name] for name in sorted(found)]


def inhibit_rules(journey: Journey) -> list[dict]:
    """While a cause fires, hold back its symptoms in this journey. A shared cause carries no journey
    label, so it is matched by its dependency instead, and shared symptoms (a shared dependant's
    down alert) are matched without a journey."""
    shared_names = {n for dep in shared_dependencies([journey]) for n in dep.alert_names}
    rules = []
    for impact in impact_map(journey).impacts:
        local = [n for n in impact.symptom_alert_names if n not in shared_names]
        shared = [n for n in impact.symptom_alert_names if n in shared_names]
        cause_is_shared = impact.cause.alert in shared_names
        source = [matcher("alertname", impact.cause.alert)]
        source.append(matcher("dependency", impact.dependency) if cause_is_shared else matcher("journey", journey.name))
        if local:
            target = [matcher("journey", journey.name), any_of("alertname", local)]
            rule = {"source_matchers": source, "target_matchers": target}
            # A cause in one dimension value (cluster A) never holds back symptoms in another (cluster B).
            rules.append(rule if cause_is_shared else {**rule, "equal": ["journey", *journey.dims]})
        if shared:
            target = [matcher("journey", ""), any_of("alertname", shared)]
            rules.append({"source_matchers": source, "target_matchers": target})
        rules += companion_inhibit_rules(journey, impact, shared_names)
    return rules


def companion_inhibit_rules(journey: Journey, impact: DependencyImpact, shared_names: set[str]) -> list[dict]:
    """After the cause resolves, its companion holds back the symptoms still burning on the outage, one
    rule per severity (the companion's period differs by severity). Only the symptoms whose windows set
    the period are held back (held_back): the others resolve with health and data, or are custom."""
    dep = journey.dependency(impact.dependency)
    rules = []
    for severity in reset_periods(journey, dep):
        of_severity = [a for a in impact.symptoms if severity in a.severities and a.alert not in shared_names]
        names = held_back(of_severity)
        if not names:
            continue
        source = [matcher("alertname", dep.recently_down_alert_name), matcher("journey", journey.name),
                  matcher(INHIBITS, severity)]
        target = [matcher("journey", journey.name), any_of("alertname", list(names)), matcher("severity", severity)]
        # A shared cause's companion has no dimensions: it holds back the symptoms of every one.
        equal = ["journey"] if dep.shared else ["journey", *journey.dims]
        rules.append({"source_matchers": source, "target_matchers": target, "equal": equal})
    return rules


def config_for(journeys: Sequence[Journey]) -> dict:
    """One Alertmanager configuration for these journeys: a route each, one for their shared
    dependencies, and every inhibit rule once."""
    shared = shared_dependencies(journeys)
    routes = [journey_route(j) for j in journeys] + ([shared_route(shared)] if shared else [])
    receivers = [receiver(j, severity) for j in journeys for severity in SEVERITY_TIMING]
    receivers += [shared_receiver(severity) for severity in SEVERITY_TIMING] if shared else []
    root = receiver(journeys[0], "ticket") if len(journeys) == 1 else UNROUTED_RECEIVER
    if root == UNROUTED_RECEIVER:
        receivers.append(UNROUTED_RECEIVER)
    receivers.append(INHIBIT_ONLY_RECEIVER)
    rules = [rule for j in journeys for rule in inhibit_rules(j)]
    unique_rules = list({json.dumps(rule, sort_keys=True): rule for rule in rules}.values())
    return {
        "route": {"receiver": root, "group_by": GROUP_BY, "routes": routes},
        "receivers": [{"name": name} for name in receivers],
        "inhibit_rules": unique_rules,
    }


def config(journey: Journey) -> dict:
    return config_for([journey])


def render_config(journeys: Sequence[Journey], source: str, notes: Sequence[str]) -> str:
    header = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header_lines(source) + [""] + list(notes))
    return header + dump_yaml(config_for(journeys))


def emit_alertmanager(journey: Journey) -> list[Artifact]:
    return [Artifact(CONFIG_PATH, render_config([journey], journey.source, NOTES))]


# -- amtool ------------------------------------------------------------------------------


class AmtoolNotFound(ObsgenError):
    """amtool is not installed or $OBSGEN_AMTOOL points nowhere: the environment, like a missing promtool."""

    exit_code = 2


def find_amtool() -> str:
    """Path of amtool: $OBSGEN_AMTOOL, then scripts/go-tools' pinned build, then PATH."""
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


def config_problems(paths: list[Path]) -> dict[Path, list[str]]:
    """amtool check-config once over the configs of any number of staged directories. A failing file
    is checked again on its own, so its complaints read as check_config_file words them."""
    proc = run_amtool(["check-config", *map(str, paths)])
    if proc.returncode == 0:
        return {path: [] for path in paths}
    verdicts = {match["file"]: match["verdict"] for match in _VERDICT.finditer(proc.stdout)}
    passed = {path for path in paths if verdicts.get(str(path), "").startswith("SUCCESS")}
    return {path: [] if path in passed else check_config_file(path) for path in paths}


_VERDICT = re.compile(r"^Checking '(?P<file>.*?)'\s+(?P<verdict>\S+)", re.MULTILINE)


def config_check(shown_as: str) -> FileCheck:
    """amtool check-config on a staged directory's config, reported as published at shown_as."""
    return FileCheck(lambda staged: [staged / CONFIG_PATH], config_problems,
                     lambda staged, file, problem: f"amtool check-config: {shown_as}: {problem}")


check_config = config_check(CONFIG_PATH)
