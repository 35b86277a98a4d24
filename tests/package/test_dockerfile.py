"""The Dockerfile, checked without a container engine (none on the project's machines): pinned base
images, tool versions only from scripts/go-tools' table,
a build context that holds what it copies, and its builder step run here."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from obsgen.tools import go_tools_bin
from tests.conftest import ROOT
from tests.test_go_tools import table

DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
TOOLS = ("promtool", "amtool")


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    logical, pending = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        logical.append(pending)
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in logical]


def stages() -> list[str]:
    return [arguments for instruction, arguments in instructions() if instruction == "FROM"]


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def test_base_images_are_pinned_to_exact_versions_of_one_debian_release():
    builder, runtime = stages()
    go = re.fullmatch(r"golang:(\d+\.\d+\.\d+)-(\w+) AS tools", builder)
    python = re.fullmatch(r"python:(\d+\.\d+\.\d+)-slim-(\w+)", runtime)
    assert go and python, (builder, runtime)
    assert go.group(2) == python.group(2)
    # One Go for the image and the GitHub Action.
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert go.group(1) == action["inputs"]["go-version"]["default"]
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert version(python.group(1)) >= version(requires.removeprefix(">="))


def test_tool_versions_come_only_from_the_go_tools_table():
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert "@v" not in text and "go install" not in text, "name versions in scripts/go-tools, not here"
    runs = [arguments for instruction, arguments in instructions() if instruction == "RUN"]
    assert f"/src/scripts/go-tools install {' '.join(TOOLS)}" in runs[0]
    assert set(TOOLS) <= set(table())


def test_build_context_holds_every_copied_file():
    ignore = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    assert "*" in ignore, "the context holds only what the image copies (not generated/, .git, the stack)"
    included = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    for instruction, arguments in instructions():
        if instruction != "COPY" or arguments.startswith("--from="):
            continue
        *sources, _ = shlex.split(arguments)
        for source in sources:
            assert (ROOT / source).exists(), source
            assert source.rstrip("/") in included, f"{source} is excluded by .dockerignore"


@pytest.mark.integration
def test_builder_step_leaves_the_pinned_tools_where_the_runtime_copies_them(tmp_path: Path):
    if not all((go_tools_bin() / f"{name}-{table()[name][1]}").is_file() for name in TOOLS):
        pytest.skip("promtool/amtool are not built here (scripts/go-tools install promtool amtool)")
    (run,) = [arguments for instruction, arguments in instructions()
              if instruction == "RUN" and "go-tools install" in arguments]
    out = tmp_path / "out"
    command = run.replace("/src/", f"{ROOT}/").replace("/out", str(out))
    # The image's cache is empty and builds; here the warm cache of the same table answers.
    subprocess.run(["bash", "-e", "-c", command], check=True, capture_output=True,
                   env={**os.environ, "CGO_ENABLED": "0"})
    copied = [arguments for instruction, arguments in instructions() if arguments.startswith("--from=tools")]
    assert copied == ["--from=tools " + " ".join(f"/out/{name}" for name in TOOLS) + " /usr/local/bin/"]
    for name in TOOLS:
        binary = out / name
        assert binary.is_file() and not binary.is_symlink()
        printed = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True)
        assert f"version {table()[name][1]}" in printed.stdout + printed.stderr
