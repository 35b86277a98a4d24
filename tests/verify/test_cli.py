"""The verify command's contract without a stack: exit 2 when it cannot verify at all."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import PURCHASE_SPEC

pytestmark = pytest.mark.integration  # every test runs the obsgen command line in a process


def test_verify_cannot_run_without_prometheus():
    result = subprocess.run([sys.executable, "-m", "obsgen", "verify", str(PURCHASE_SPEC), "--prometheus",
                             "http://127.0.0.1:9"], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2
    assert "cannot reach http://127.0.0.1:9" in result.stderr
    assert result.stdout == ""


def test_verify_rejects_a_window_that_is_not_a_duration():
    result = subprocess.run([sys.executable, "-m", "obsgen", "verify", str(PURCHASE_SPEC), "--prometheus",
                             "http://127.0.0.1:9", "--window", "ten"], capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 2
    assert "not a Prometheus duration" in result.stderr
