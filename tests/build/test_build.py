"""The build as users run it: deterministic, checked, atomic, with clear errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from obsgen.artifacts.base import Artifact, ArtifactKind
from obsgen.build import pipeline, writer
from obsgen.errors import ValidationFailed
from tests.conftest import PURCHASE_SPEC, ROOT, copy_project, tree
from tests.spec_text import SHOP


def obsgen(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "obsgen", *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the spec in a scratch project, so builds never touch the repository."""
    (tmp_path / "specs").mkdir()
    shutil.copy(PURCHASE_SPEC, tmp_path / "specs" / "purchase.yaml")
    return tmp_path


@pytest.fixture
def built_project(purchase_built: Path, tmp_path: Path) -> Path:
    """A project as `obsgen build specs/purchase.yaml` left it (a copy of the session's build: this test may change it)."""
    return copy_project(purchase_built, tmp_path / "project")


@pytest.mark.integration
def test_committed_output_is_up_to_date():
    result = obsgen("build", "--check", "specs/purchase.yaml")
    assert result.returncode == 0, result.stderr


@pytest.mark.integration
def test_committed_examples_are_up_to_date():
    """The example journeys of real systems (specs/examples/) are built as one fleet into
    generated/examples/, rule tests included, and committed like the purchase journey; without --out the
    check finds that output by its fleet manifest."""
    result = obsgen("build", "--check", "specs/examples/")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "generated/examples/_fleet: up to date" in result.stdout


def test_two_builds_are_byte_identical_from_any_working_directory(built_project: Path, tmp_path: Path):
    project = built_project  # the first build: `obsgen build specs/purchase.yaml` from the project
    snapshot = tree(project / "generated")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    second = obsgen("build", str(project / "specs/purchase.yaml"), "--out", str(project / "generated"), cwd=elsewhere)
    assert second.returncode == 0, second.stderr
    assert "0 added, 0 changed, 0 removed" in second.stdout
    assert tree(project / "generated") == snapshot
    assert tree(project / "generated" / "purchase") == tree(ROOT / "generated" / "purchase")


def test_check_reports_stale_output(built_project: Path):
    project = built_project
    spec = project / "specs" / "purchase.yaml"
    spec.write_text(spec.read_text().replace("threshold: 0.05", "threshold: 0.04"))
    result = obsgen("build", "--check", "specs/purchase.yaml", cwd=project)
    assert result.returncode == 1
    assert "generated/purchase/prometheus/alerts.rules.yaml: stale" in result.stderr


def test_bad_spec_exits_2_and_leaves_output_untouched(built_project: Path):
    project = built_project
    before = tree(project / "generated")
    spec = project / "specs" / "purchase.yaml"
    spec.write_text(spec.read_text().replace("  stages:\n", "  stages:\n    - nme: typo\n", 1))
    result = obsgen("build", "specs/purchase.yaml", cwd=project)
    assert result.returncode == 2
    assert "specs/purchase.yaml:23:7: unknown key 'nme' in spec.stages[0]; did you mean 'name'?" in result.stderr
    assert "nothing was written" in result.stderr
    assert tree(project / "generated") == before


def test_failed_validation_writes_nothing(built_project: Path, monkeypatch):
    """A rule file promtool rejects (real promtool) must not replace the published output."""
    project = built_project
    out = project / "generated"
    before = tree(out)

    def broken_rules(journey):
        return [Artifact("prometheus/broken.rules.yaml", "groups:\n- name: x\n  rules:\n  - record: a:b:c\n    expr: sum(\n")]

    monkeypatch.setattr(pipeline, "KINDS", pipeline.KINDS + (ArtifactKind("broken rules", broken_rules),))
    with pytest.raises(ValidationFailed) as caught:
        pipeline.build(project / "specs" / "purchase.yaml", out)
    assert "prometheus/broken.rules.yaml" in str(caught.value)
    assert tree(out) == before
    assert [p.name for p in out.glob(".obsgen-*")] == [".obsgen-manifest.json"], "staging directories must be cleaned up"


def test_removed_outputs_are_deleted(built_project: Path):
    """A file the previous build wrote (listed in its manifest) and this one does not is removed."""
    project = built_project
    out = project / "generated"
    stray = out / "purchase" / "prometheus" / "old.rules.yaml"
    stray.write_text("groups: []\n")
    manifest = json.loads((out / writer.MANIFEST).read_text())
    manifest["purchase"].append("prometheus/old.rules.yaml")
    (out / writer.MANIFEST).write_text(json.dumps(manifest))
    changes = pipeline.build(project / "specs" / "purchase.yaml", out).changes
    assert changes.removed == ["prometheus/old.rules.yaml"]
    assert not stray.exists()


@pytest.mark.integration
def test_hand_written_files_in_the_output_are_never_deleted(project: Path):
    """obsgen owns OUT/<journey>/ but only deletes what it wrote: a file put there by hand stops the
    build (exit 2, naming it) rather than vanishing, and nothing is published."""
    out = project / "generated"
    assert obsgen("build", "--no-validate", "specs/purchase.yaml", cwd=project).returncode == 0
    notes = out / "purchase" / "prometheus" / "my-notes.rules.yaml"
    notes.write_text("# mine\n")
    before = tree(out)
    result = obsgen("build", "--no-validate", "specs/purchase.yaml", cwd=project)
    assert result.returncode == 2, result.stderr
    assert str(notes.relative_to(project)) in result.stderr
    assert "Traceback" not in result.stderr
    assert tree(out) == before
    notes.unlink()
    assert obsgen("build", "--no-validate", "specs/purchase.yaml", cwd=project).returncode == 0


@pytest.mark.integration
def test_a_hand_made_directory_is_not_taken_over_by_a_new_journey(project: Path):
    out = project / "generated"
    assert obsgen("build", "--no-validate", "specs/", cwd=project).returncode == 0
    mine = out / "shop" / "README.md"
    mine.parent.mkdir()
    mine.write_text("mine\n")
    (project / "specs" / "shop.yaml").write_text(SHOP)
    result = obsgen("build", "--no-validate", "specs/", cwd=project)
    assert result.returncode == 2, result.stderr
    assert str(mine.relative_to(project)) in result.stderr
    assert mine.read_text() == "mine\n"


@pytest.mark.integration
def test_schema_command_matches_committed_schema():
    result = obsgen("schema")
    assert result.returncode == 0
    assert result.stdout == (ROOT / "specs" / "journey.schema.json").read_text()


def test_spec_modeline_points_at_the_schema():
    first = PURCHASE_SPEC.read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=./journey.schema.json"


def test_published_directory_is_world_readable(purchase_built: Path):
    assert (purchase_built / "generated" / "purchase").stat().st_mode & 0o777 == 0o755


BROKEN_TEST = """\
rule_files: [../prometheus/alerts.rules.yaml]
evaluation_interval: 1m
tests:
- interval: 1m
  input_series:
  - series: 'pg_up{job="postgres"}'
    values: '1x30'
  alert_rule_test:
  - eval_time: 10m
    alertname: PurchaseDatabaseDown
    exp_alerts:
    - exp_labels: {severity: page}
"""


@pytest.mark.integration
def test_failing_rule_tests_block_the_build_unless_skipped(project: Path, monkeypatch):
    """A generated rule test that fails (real promtool) stops the build; --no-test skips only the tests."""
    out = project / "generated"
    monkeypatch.setattr(pipeline, "KINDS", pipeline.KINDS + (
        ArtifactKind("broken tests", lambda journey: [Artifact("tests/broken.tests.yaml", BROKEN_TEST)]),))
    with pytest.raises(ValidationFailed) as caught:
        pipeline.build(project / "specs" / "purchase.yaml", out)
    assert "PurchaseDatabaseDown" in str(caught.value)
    assert not out.exists() or not (out / "purchase").exists()
    pipeline.build(project / "specs" / "purchase.yaml", out, run_tests=False)
    assert (out / "purchase" / "tests" / "broken.tests.yaml").exists()


def test_libyaml_and_python_emitters_write_the_same_bytes(purchase_artifacts):
    """Machines without libyaml fall back to PyYAML's own emitter: output must not depend on which."""
    import yaml

    from obsgen import render

    if "libyaml" not in render.DUMPERS:
        pytest.skip("PyYAML here has no libyaml")
    for artifact in purchase_artifacts:
        if artifact.path.endswith(".yaml"):
            data = yaml.safe_load(artifact.content)
            assert render.dump_yaml(data, dumper=render.DUMPERS["python"]) == \
                render.dump_yaml(data, dumper=render.DUMPERS["libyaml"]), artifact.path
