"""`obsgen build --check` compares with a build made the way the output was: the targets and target
options its publish manifest records."""

from __future__ import annotations

import json

import pytest

from obsgen.build import writer
from tests.cli_helpers import obsgen, project

pytestmark = pytest.mark.integration  # every test runs the obsgen command line in a process


def build(cwd, *args):
    return obsgen("build", "--no-validate", "specs/etcd-kv.yaml", "-o", "out", *args, cwd=cwd)


def test_check_without_target_flags_uses_the_recorded_targets(tmp_path):
    cwd = project(tmp_path).parent.parent
    assert build(cwd, "--target", "prometheus-operator", "--namespace", "observability").returncode == 0
    record = json.loads((cwd / "out" / writer.MANIFEST).read_text())[writer.BUILD_RECORD]
    assert record["targets"] == ["prometheus-operator"] and record["namespace"] == "observability"

    check = build(cwd, "--check")
    assert check.returncode == 0, check.stderr
    assert "out/etcd-kv: up to date" in check.stdout
    # A flag given on the command line wins; the rest still comes from the record.
    assert build(cwd, "--check", "--target", "prometheus-operator").returncode == 0
    other = build(cwd, "--check", "--namespace", "monitoring")
    assert other.returncode == 1 and "stale" in other.stderr
    fewer = build(cwd, "--check", "--target", "prometheus")
    assert fewer.returncode == 1 and "targets/prometheus-operator/" in fewer.stderr and ": extra" in fewer.stderr


def test_a_plain_build_records_the_default_and_check_follows(tmp_path):
    cwd = project(tmp_path).parent.parent
    assert build(cwd, "--target", "thanos").returncode == 0
    assert build(cwd).returncode == 0  # rebuilt without targets: their files go, and so does the record
    assert json.loads((cwd / "out" / writer.MANIFEST).read_text())[writer.BUILD_RECORD]["targets"] == ["prometheus"]
    assert not (cwd / "out" / "etcd-kv" / "targets" / "thanos").exists()
    assert build(cwd, "--check").returncode == 0


def test_an_output_without_a_record_is_checked_with_the_defaults(tmp_path):
    cwd = project(tmp_path).parent.parent
    assert build(cwd).returncode == 0
    manifest = cwd / "out" / writer.MANIFEST
    data = json.loads(manifest.read_text())
    del data[writer.BUILD_RECORD]  # as written by obsgen before the record existed
    manifest.write_text(json.dumps(data))
    assert build(cwd, "--check").returncode == 0
    assert build(cwd, "--check", "--target", "mimir").returncode == 1
