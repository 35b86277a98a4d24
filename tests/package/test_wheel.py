"""`pip install obsgen` works outside a checkout: the wheel holds everything `build`, `lint` and
`schema` read, says what is missing when promtool/amtool are not installed, and the demo lab's
commands (which need a checkout) say so in one line."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import obsgen
from tests.conftest import ROOT
from tests.package.installed import Installed, user_environment

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SPEC = ROOT / "specs" / "examples" / "etcd-kv.yaml"


@pytest.fixture
def user_dir(tmp_path: Path) -> Path:
    """An empty directory holding nothing but the user's spec."""
    directory = tmp_path / "user"
    directory.mkdir()
    shutil.copy(SPEC, directory / SPEC.name)
    return directory


def test_wheel_packs_the_package_data_and_one_version(installed: Installed):
    names = zipfile.ZipFile(installed.wheel).namelist()
    data = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "obsgen").rglob("*")
                  if p.is_file() and p.suffix not in (".py", ".pyc"))
    assert data and set(data) <= set(names)
    assert installed.wheel.name == f"obsgen-{obsgen.__version__}-py3-none-any.whl"


def test_the_installed_package_is_the_one_that_runs(installed: Installed, user_dir: Path):
    where = subprocess.run([str(installed.bin / "python"), "-c", "import obsgen; print(obsgen.__file__)"],
                           cwd=user_dir, capture_output=True, text=True, env=user_environment(), check=True)
    assert Path(where.stdout.strip()).is_relative_to(installed.venv)
    version = installed.run("--version", cwd=user_dir)
    assert version.stdout.strip() == f"obsgen, version {obsgen.__version__}"


def test_build_lint_and_schema_in_an_empty_directory(installed: Installed, user_dir: Path, tmp_path: Path):
    built = installed.run("build", SPEC.name, cwd=user_dir)
    assert built.returncode == 0, built.stderr
    journey = user_dir / "generated" / "etcd-kv"
    assert (journey / "impact" / "impact.svg").is_file()
    # Byte for byte what this checkout's own code builds from the same layout.
    reference = tmp_path / "reference"
    reference.mkdir()
    shutil.copy(SPEC, reference / SPEC.name)
    subprocess.run([sys.executable, "-m", "obsgen", "build", SPEC.name], cwd=reference, check=True,
                   capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    comparison = filecmp.dircmp(reference / "generated", user_dir / "generated")
    assert _differences(comparison) == []

    files = sorted(str(p.relative_to(user_dir)) for p in journey.glob("prometheus/*.rules.yaml"))
    files += sorted(str(p.relative_to(user_dir)) for p in journey.glob("grafana/dashboards/*.json"))
    linted = installed.run("lint", *files, cwd=user_dir)
    assert linted.returncode == 0, linted.stdout + linted.stderr

    schema = installed.run("schema", cwd=user_dir)
    assert schema.returncode == 0
    assert schema.stdout == (ROOT / "specs" / "journey.schema.json").read_text(encoding="utf-8")

    tested = installed.run("test", SPEC.name, cwd=user_dir)
    assert tested.returncode == 0 and "assertions passed" in tested.stdout, tested.stdout + tested.stderr
    impact = installed.run("impact", SPEC.name, "--format", "json", cwd=user_dir)
    assert impact.returncode == 0 and impact.stdout == (journey / "impact" / "impact.json").read_text()


def _differences(comparison: filecmp.dircmp) -> list[str]:
    found = [*comparison.left_only, *comparison.right_only, *comparison.diff_files, *comparison.funny_files]
    for sub in comparison.subdirs.values():
        found += _differences(sub)
    return found


def test_missing_programs_are_named_and_no_validate_still_builds(installed: Installed, user_dir: Path,
                                                                 tmp_path: Path):
    bare = user_environment(installed, PATH=str(installed.bin), XDG_CACHE_HOME=str(tmp_path / "no-cache"))
    for variable in ("OBSGEN_PROMTOOL", "OBSGEN_AMTOOL"):
        bare.pop(variable, None)
    refused = installed.run("build", SPEC.name, cwd=user_dir, env=bare)
    assert refused.returncode == 2, refused.stderr
    assert "Traceback" not in refused.stderr
    lines = refused.stderr.splitlines()
    assert [line.split(" not found")[0] for line in lines[:2]] == ["obsgen: promtool", "obsgen: amtool"]
    assert all("prometheus.io/download" in line for line in lines[:2])
    assert "--no-validate" in lines[2] and len(lines) == 3
    assert not (user_dir / "generated").exists()

    unvalidated = installed.run("build", "--no-validate", SPEC.name, cwd=user_dir, env=bare)
    assert unvalidated.returncode == 0, unvalidated.stderr
    assert (user_dir / "generated" / "etcd-kv" / "prometheus" / "alerts.rules.yaml").is_file()


@pytest.mark.parametrize("command", [["stack", "up"], ["stack", "--help"], ["drill", "spec.yaml", "db"]])
def test_demo_lab_commands_say_they_need_a_checkout(installed: Installed, user_dir: Path, command: list[str]):
    result = installed.run(*command, cwd=user_dir)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "source checkout" in result.stderr, result.stderr
