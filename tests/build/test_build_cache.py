"""The build cache (obsgen/build/cache.py): an unchanged build or --check does no work, anything
else that changed is rebuilt or reported, and the fleet's emit pool writes the serial build's bytes."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from obsgen import tools
from obsgen.build import cache as build_cache
from obsgen.spec.limits import MAX_SPEC_BYTES
from obsgen.tools.promtool import PROMTOOL_ENV
from tests.conftest import PURCHASE_SPEC, ROOT

EXAMPLES = ROOT / "specs" / "examples"
WORK_LINE = "build: loading"  # the first progress line of a build that does the work


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A cache of the test's own, with the same promtool and amtool the build would find."""
    promtool = tools.locate("promtool", tools.PROMTOOL_ENV)
    amtool = tools.locate("amtool", tools.AMTOOL_ENV)
    if promtool is None or amtool is None:
        pytest.skip("promtool and amtool are needed")
    environment = {k: v for k, v in os.environ.items() if k != build_cache.NO_CACHE_ENV}
    return {**environment, "XDG_CACHE_HOME": str(tmp_path / "cache"), tools.PROMTOOL_ENV: promtool,
            tools.AMTOOL_ENV: amtool, "PYTHONPATH": str(ROOT)}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "project" / "specs").mkdir(parents=True)
    shutil.copy(PURCHASE_SPEC, tmp_path / "project" / "specs" / "purchase.yaml")
    return tmp_path / "project"


def obsgen(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "obsgen", "build", "--progress", *args], cwd=project,
                          env=env, capture_output=True, text=True)


def built(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    result = obsgen(project, env, "specs/purchase.yaml", *args)
    assert result.returncode == 0, result.stderr
    return result


def up_to_date(result: subprocess.CompletedProcess) -> bool:
    return WORK_LINE not in result.stderr and "is up to date" in result.stdout


@pytest.mark.integration
def test_an_unchanged_build_does_no_work_and_leaves_the_output_alone(project: Path, env: dict[str, str]):
    first = built(project, env)
    assert WORK_LINE in first.stderr
    before = {p: p.stat().st_mtime_ns for p in (project / "generated").rglob("*")}
    second = built(project, env)
    assert up_to_date(second), second.stdout + second.stderr
    assert "generated/purchase/ (13 files; up to date)" in second.stdout
    assert {p: p.stat().st_mtime_ns for p in (project / "generated").rglob("*")} == before
    check = obsgen(project, env, "--check", "specs/purchase.yaml")
    assert check.returncode == 0 and WORK_LINE not in check.stderr
    assert "generated/purchase: up to date" in check.stdout and "generated/_fleet: up to date" in check.stdout


@pytest.mark.integration
def test_check_still_fails_on_hand_edited_missing_or_extra_output(project: Path, env: dict[str, str]):
    built(project, env, "--no-test")
    alerts = project / "generated" / "purchase" / "prometheus" / "alerts.rules.yaml"
    original = alerts.read_bytes()
    alerts.write_bytes(original.replace(b"severity: page", b"severity: pagf", 1))  # same size, other bytes
    stale = obsgen(project, env, "--check", "specs/purchase.yaml")
    assert stale.returncode == 1 and "generated/purchase/prometheus/alerts.rules.yaml: stale" in stale.stderr
    alerts.unlink()
    missing = obsgen(project, env, "--check", "specs/purchase.yaml")
    assert missing.returncode == 1 and "alerts.rules.yaml: missing" in missing.stderr
    alerts.write_bytes(original)
    (project / "generated" / "purchase" / "notes.txt").write_text("mine")
    extra = obsgen(project, env, "--check", "specs/purchase.yaml")
    assert extra.returncode == 1 and "generated/purchase/notes.txt: extra" in extra.stderr
    (project / "generated" / "purchase" / "notes.txt").unlink()
    assert obsgen(project, env, "--check", "specs/purchase.yaml").returncode == 0


@pytest.mark.integration
def test_what_the_build_reads_is_part_of_the_key(project: Path, env: dict[str, str]):
    built(project, env, "--no-test")
    spec = project / "specs" / "purchase.yaml"
    spec.write_text(spec.read_text() + "# edited\n")
    assert not up_to_date(built(project, env, "--no-test"))
    assert up_to_date(built(project, env, "--no-test"))
    assert not up_to_date(built(project, env, "--no-test", "--target", "mimir")), "another delivery"
    assert not up_to_date(built(project, env, "--no-test")), "the default delivery again: its output changed"
    copy = project.parent / "promtool"
    shutil.copy2(env[tools.PROMTOOL_ENV], copy)
    assert not up_to_date(built(project, {**env, tools.PROMTOOL_ENV: str(copy)}, "--no-test")), "another promtool"


@pytest.mark.integration
def test_no_cache_and_a_lesser_entry_do_the_work(project: Path, env: dict[str, str]):
    built(project, env, "--no-validate")
    assert not up_to_date(built(project, env, "--no-test")), "an unvalidated build does not vouch for checks"
    assert up_to_date(built(project, env, "--no-validate")), "a validated one vouches for less"
    assert not up_to_date(built(project, env, "--no-test", "--no-cache"))
    assert not up_to_date(built(project, {**env, build_cache.NO_CACHE_ENV: "1"}, "--no-test"))


@pytest.mark.integration
def test_an_unreadable_cache_entry_means_a_full_build(project: Path, env: dict[str, str]):
    built(project, env, "--no-test")
    entries = list((Path(env["XDG_CACHE_HOME"]) / "obsgen" / build_cache.CACHE_DIR / build_cache.BUILDS_DIR).iterdir())
    assert entries
    for number, entry in enumerate(entries):
        entry.write_text(["{", '{"format": 1}', "[]", ""][number % 4])
    again = built(project, env, "--no-test")
    assert not up_to_date(again) and "0 added, 0 changed, 0 removed" in again.stdout
    assert up_to_date(built(project, env, "--no-test")), "the full build wrote a good entry again"


@pytest.mark.integration
def test_a_half_published_output_is_not_up_to_date(project: Path, env: dict[str, str]):
    built(project, env, "--no-test")
    from obsgen.build import writer

    (project / "generated" / writer.JOURNAL).write_text('{"swaps": [], "manifest": {}}')
    assert not up_to_date(obsgen(project, env, "specs/purchase.yaml", "--no-test"))


# --------------------------------------------------------------------------- passed rule tests


@pytest.fixture
def counted_promtool(tmp_path: Path, env: dict[str, str], monkeypatch) -> Path:
    """The real promtool behind a script that logs each `test rules` run it is asked for."""
    log = tmp_path / "runs.log"
    script = tmp_path / "promtool-logged"
    script.write_text(f'#!/bin/sh\n[ "$1" = test ] && echo "$3" >> {log}\nexec {env[tools.PROMTOOL_ENV]} "$@"\n')
    script.chmod(0o755)
    monkeypatch.setenv("XDG_CACHE_HOME", env["XDG_CACHE_HOME"])
    monkeypatch.setenv(PROMTOOL_ENV, str(script))
    monkeypatch.delenv(build_cache.NO_CACHE_ENV, raising=False)
    build_cache.tool_identity.cache_clear()
    yield log
    build_cache.tool_identity.cache_clear()


def _runs(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


@pytest.mark.integration
def test_passed_rule_tests_run_once_and_failures_every_time(tmp_path: Path, counted_promtool: Path):
    # The smallest committed journey: the cache does not care which, and promtool runs three times.
    journey = tmp_path / "journey"
    shutil.copytree(ROOT / "generated" / "examples" / "nightly-backup", journey)
    tests = journey / "tests" / "nightly-backup.tests.yaml"
    assert build_cache.test_rules([tests]).passed and _runs(counted_promtool) == 1
    assert build_cache.test_rules([tests]).passed and _runs(counted_promtool) == 1, "the pass was remembered"
    moved = tmp_path / "elsewhere"
    shutil.copytree(journey, moved)
    assert build_cache.test_rules([moved / "tests" / tests.name]).passed
    assert _runs(counted_promtool) == 1, "the same bytes in another directory (a staging copy)"
    rules = journey / "prometheus" / "alerts.rules.yaml"
    rules.write_text(rules.read_text().replace("severity: page", "severity: sev1"))
    assert not build_cache.test_rules([tests]).passed and _runs(counted_promtool) == 2, "a rule file changed"
    assert not build_cache.test_rules([tests]).passed and _runs(counted_promtool) == 3, "failures are never cached"


@pytest.mark.integration
def test_files_not_cached_run_in_one_promtool_and_only_passes_are_remembered(tmp_path: Path, counted_promtool: Path):
    good, bad = tmp_path / "good", tmp_path / "bad"
    for journey in (good, bad):
        shutil.copytree(ROOT / "generated" / "examples" / "nightly-backup", journey)
    rules = bad / "prometheus" / "alerts.rules.yaml"
    rules.write_text(rules.read_text().replace("severity: page", "severity: sev1"))
    files = [journey / "tests" / "nightly-backup.tests.yaml" for journey in (good, bad)]
    result = build_cache.test_rules(files)
    assert {f.file for f in result.failures} == {str(files[1])} and _runs(counted_promtool) == 2, \
        "both in one promtool, then the failing file alone"
    assert not build_cache.test_rules(files).passed and _runs(counted_promtool) == 3, "the pass was remembered"


# --------------------------------------------------------------------------- the key itself


def _key_of(spec: Path, out: Path, **changes) -> str | None:
    request = build_cache.Request((spec,), out, False, build_cache.RULE_TESTS, None, None, None)
    return build_cache.request_key(dataclasses.replace(request, **changes))


def test_the_key_follows_the_profile_files_a_spec_names(tmp_path: Path):
    spec = tmp_path / "specs" / "purchase.yaml"
    spec.parent.mkdir()
    text = PURCHASE_SPEC.read_text()
    spec.write_text(text.replace("\nspec:\n", "\nspec:\n  profileFiles: [profiles/ours.yaml]\n", 1))
    out = tmp_path / "generated"
    without = _key_of(spec, out)
    (spec.parent / "profiles").mkdir()
    (spec.parent / "profiles" / "ours.yaml").write_text("profiles: {}\n")
    with_file = _key_of(spec, out)
    (spec.parent / "profiles" / "ours.yaml").write_text("profiles: {}\n# changed\n")
    assert len({without, with_file, _key_of(spec, out)}) == 3
    assert _key_of(spec, out) == _key_of(spec, out), "the same inputs, the same key"
    assert _key_of(spec, out, prometheus_version=2) != _key_of(spec, out)
    assert _key_of(spec, out, out_dir=tmp_path / "elsewhere") != _key_of(spec, out)
    assert _key_of(tmp_path / "missing.yaml", out) is None, "an unreadable spec is the build's to report"


def test_a_file_larger_than_a_spec_makes_no_key_and_is_read_no_further(tmp_path: Path):
    """`obsgen build specs/ /dev/zero` must reach the loader's one-line refusal, not fill the memory here."""
    out = tmp_path / "generated"
    assert _key_of(Path("/dev/zero"), out) is None
    spec = tmp_path / "big.yaml"
    spec.write_bytes(b"#" * (MAX_SPEC_BYTES + 1))
    assert _key_of(spec, out) is None
    spec.write_bytes(b"#" * MAX_SPEC_BYTES)
    assert _key_of(spec, out) is not None
    named = tmp_path / "names-zero.yaml"
    named.write_text(PURCHASE_SPEC.read_text().replace("\nspec:\n", "\nspec:\n  profileFiles: [/dev/zero]\n", 1))
    assert _key_of(named, out) is None
