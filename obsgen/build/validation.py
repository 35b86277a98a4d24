"""Checking every staged directory of a build together: a tool that accepts many files (promtool
check rules, amtool check-config) runs once for the whole build rather than once per journey, and
the tools run concurrently with each other and with the in-process checks (the dashboard lint); what the
in-process checks of every directory share is prepared once (a PreparedCheck: every dashboard query parsed by
one promtool run).

A validator is any function (staged directory, subject) -> problems; a FileCheck (obsgen.artifacts.base)
is one whose tool takes files, so the build can hand it the files of every directory in one run. Called on one
directory, a FileCheck is an ordinary validator.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from obsgen.artifacts.base import FileCheck, PreparedCheck, Tool


@dataclass(frozen=True)
class Directory:
    """One staged directory to check: its validators by stage (a later stage runs only when the
    earlier ones found nothing in this directory)."""

    name: str
    staged: Path
    subject: Any
    stages: Sequence[Sequence[Callable[[Path, Any], list[str]]]]


def check_stage(directories: Sequence[Directory], stage: int) -> dict[str, list[str]]:
    """Problems of one stage, by directory name, in each directory's validator order: every FileCheck
    tool once over all the files (in threads: the tools are processes), the other validators here."""
    runs = _tool_runs(directories, stage)
    with ThreadPoolExecutor(max_workers=max(len(runs), 1)) as pool, ExitStack() as prepared:
        started = {tool: pool.submit(tool, files) for tool, files in runs.items()}
        for prepare, subjects in _preparations(directories, stage).items():
            prepared.enter_context(prepare(subjects))
        direct = {(d.name, i): v(d.staged, d.subject) for d in directories
                  for i, v in enumerate(d.stages[stage]) if not isinstance(v, FileCheck)}
        found = {tool: future.result() for tool, future in started.items()}
    return {d.name: [problem for i, v in enumerate(d.stages[stage])
                     for problem in (v.report(d.staged, found.get(v.tool, {})) if isinstance(v, FileCheck)
                                     else direct[(d.name, i)])]
            for d in directories}


def _tool_runs(directories: Sequence[Directory], stage: int) -> dict[Tool, list[Path]]:
    runs: dict[Tool, list[Path]] = {}
    for directory in directories:
        for validator in directory.stages[stage]:
            if isinstance(validator, FileCheck):
                runs.setdefault(validator.tool, []).extend(validator.files(directory.staged))
    return {tool: files for tool, files in runs.items() if files}


def _preparations(directories: Sequence[Directory], stage: int) -> dict[Callable, list[tuple[Path, Any]]]:
    preparations: dict[Callable, list[tuple[Path, Any]]] = {}
    for directory in directories:
        for validator in directory.stages[stage]:
            if isinstance(validator, PreparedCheck):
                preparations.setdefault(validator.prepare, []).append((directory.staged, directory.subject))
    return preparations


def check_all(directories: Sequence[Directory], labels: Sequence[str],
              phase: Callable[[str], Any]) -> list[str]:
    """Every problem, directory by directory, of the first stage that finds any in that directory.
    phase(label): a context manager around each stage (progress lines)."""
    found: dict[str, list[str]] = {d.name: [] for d in directories}
    for stage, label in enumerate(labels):
        pending = [d for d in directories if stage < len(d.stages) and not found[d.name]]
        if not pending:
            break
        with phase(label):
            found.update(check_stage(pending, stage))
    return [problem for d in directories for problem in found[d.name]]
