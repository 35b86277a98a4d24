"""Imports are in isort's order, with the project's settings ([tool.isort] in pyproject.toml)."""

from __future__ import annotations

from pathlib import Path

import isort

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("obsgen", "lab", "tests", "benchmarks")


def test_every_module_s_imports_are_sorted():
    config = isort.Config(settings_path=str(ROOT))
    unsorted = [str(path.relative_to(ROOT)) for folder in CHECKED for path in sorted((ROOT / folder).rglob("*.py"))
                if not isort.check_file(path, config=config, show_diff=False, disregard_skip=False)]
    assert not unsorted, f"imports out of order (run `python -m isort {' '.join(CHECKED)}`): {unsorted}"


def test_the_check_sees_an_unsorted_file(tmp_path: Path):
    module = tmp_path / "module.py"
    module.write_text("import sys\nimport os\n")
    assert not isort.check_file(module, config=isort.Config(settings_path=str(ROOT)), show_diff=False)
