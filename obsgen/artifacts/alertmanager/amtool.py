"""amtool, the Alertmanager's own checker: a configuration's problems, and where it routes an alert."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Sequence

from obsgen.errors import ObsgenError
from obsgen.tools import AMTOOL_ENV, find_tool, run_tool

ENV_VAR = AMTOOL_ENV
INSTALL_HINT = ("amtool not found: in an obsgen checkout run `scripts/go-tools install amtool` (pinned); elsewhere "
                "`apt-get install prometheus-alertmanager` or amtool from an Alertmanager release at "
                "https://prometheus.io/download/ on PATH, or point $OBSGEN_AMTOOL at an amtool binary")


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
