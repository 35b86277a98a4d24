"""The package's layout keeps its promises (issue 18): click is imported only by obsgen/cli/, the command
line; the demo lab (top-level lab/) is imported by obsgen only from its two commands; the wheel holds
no lab code."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from setuptools import find_packages

from tests.conftest import ROOT
from tests.package.installed import user_environment

OBSGEN = ROOT / "obsgen"
CLI = OBSGEN / "cli"
LAB_COMMANDS = {CLI / "stack.py", CLI / "drill.py"}


def imported_top_levels(path: Path) -> set[str]:
    """The top-level packages `path` imports, anywhere in it (function-level imports too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def importers_of(package: str) -> set[Path]:
    return {path for path in OBSGEN.rglob("*.py") if package in imported_top_levels(path)}


def test_click_is_imported_only_by_the_command_line():
    outside = sorted(str(p.relative_to(ROOT)) for p in importers_of("click") if CLI not in p.parents)
    assert outside == []
    assert CLI / "__init__.py" in importers_of("click")  # the walk sees the imports it is to police


def test_obsgen_imports_the_lab_only_from_its_two_commands():
    assert importers_of("lab") == LAB_COMMANDS


def test_the_import_check_sees_function_level_imports(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from lab.stack import runner\n    import click.testing\n")
    assert imported_top_levels(module) == {"lab", "click"}


def test_the_packaging_configuration_finds_no_lab_package():
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = find_packages(str(ROOT), include=include)
    assert "obsgen.cli" in packages
    assert [p for p in packages if not p.startswith("obsgen")] == []
    assert "lab" in find_packages(str(ROOT))  # the checkout does hold it


@pytest.mark.integration  # pip builds a wheel in a subprocess
def test_a_wheel_built_from_the_checkout_holds_no_lab_file(tmp_path):
    """Built from a copy holding lab/ beside obsgen/, as the checkout does (tests.package.installed copies
    only what the wheel packs)."""
    source = tmp_path / "source"
    for name in ("pyproject.toml", "README.md", "obsgen", "lab"):
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(origin, source / name)
    # With build isolation, as a user builds it: pyproject needs a newer setuptools than some systems have.
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "wheel", "--no-deps",
                    "-w", str(tmp_path / "dist"), str(source)],
                   check=True, capture_output=True, text=True, env=user_environment(), timeout=900)
    (wheel,) = (tmp_path / "dist").glob("obsgen-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "obsgen/cli/__init__.py" in names
    assert [n for n in names if n.startswith("lab/")] == []


@pytest.mark.integration  # runs the CLI in a fresh interpreter
def test_the_lab_commands_find_the_checkout_when_only_obsgen_is_importable(tmp_path):
    """As from an editable install, whose finder maps the obsgen package only: `lab` is not on the path,
    obsgen.checkout finds it beside the obsgen package it runs from."""
    (tmp_path / "path").mkdir()
    (tmp_path / "path" / "obsgen").symlink_to(OBSGEN)
    env = {**user_environment(), "PYTHONPATH": str(tmp_path / "path")}
    check = [sys.executable, "-c", "import importlib.util; assert importlib.util.find_spec('lab') is None"]
    subprocess.run(check, cwd=tmp_path, env=env, check=True)
    for command in (["stack", "--help"], ["drill", "--help"]):
        result = subprocess.run([sys.executable, "-m", "obsgen", *command], cwd=tmp_path, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert f"Usage: obsgen {command[0]}" in result.stdout
