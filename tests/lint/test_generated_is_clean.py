"""Everything obsgen generates must pass obsgen's own lint (issue 2 §3, issue 3 "Dashboard lint")."""

from pathlib import Path

import pytest

from obsgen.lint import lint_paths, render

pytestmark = pytest.mark.integration  # real promtool

GENERATED = Path(__file__).resolve().parents[2] / "generated"


def generated_files() -> list[str]:
    return sorted(str(p) for p in GENERATED.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and _lintable(p))


def _lintable(path: Path) -> bool:
    # Rule files and dashboards only: provisioning files and promtool unit tests are other formats.
    text = path.read_text(encoding="utf-8")
    is_dashboard = text.lstrip().startswith("{") and '"panels"' in text
    return is_dashboard or "\ngroups:" in "\n" + text


def test_generated_rules_and_dashboards_are_lint_clean():
    files = generated_files()
    if not files:
        pytest.skip("nothing generated yet")
    report = lint_paths(files)
    assert report.exit_code == 0, render(report.all_findings(), "text")
