"""Small specs and runners shared by the impact tests."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from obsgen.model import Journey
from obsgen.spec.loader import parse_journey
from tests.conftest import ROOT

# A journey with a chain of dependencies: disk <- db <- api-backend, plus a user-facing-only stage.
CHAIN_SPEC = textwrap.dedent("""\
    apiVersion: obsgen/v1
    kind: Journey
    metadata:
      name: shop
      service: shop
      team: web
      runbookBaseUrl: https://example.invalid/runbooks
    spec:
      stages:
        - {name: browse, profile: http, match: {job: api, handler: /items}}
        - {name: pay, profile: http, match: {job: api, handler: /pay}}
        - {name: ship, profile: celery, match: {job: worker, task: ship}}
      journeyTime: {histogram: shop_journey_seconds, buckets: [1, 5, 10]}
      slos:
        - {name: pay-ok, type: availability, stages: [pay], objective: 99.9}
        - {name: browse-ok, type: availability, stages: [browse], objective: 99.9}
        - {name: done-in-time, type: journey-time, threshold: 5s, objective: 95}
      dependencies:
        - name: disk
          kind: other
          health: {metric: disk_ok}
        - name: db
          kind: postgresql
          health: {profile: postgresql}
          stages: [pay]
          dependsOn: [disk]
        - name: api-backend
          kind: service
          health: {profile: scrape, match: {job: backend}}
          stages: [ship]
          features: [tracking]
          dependsOn: [db]
        - name: cdn
          kind: http
          health: {profile: scrape, match: {job: cdn}}
          stages: [browse]
      business:
        - {name: payments, metric: payments_total, stage: pay}
        - {name: shipments, metric: shipments_total, stage: ship}
        - {name: visits, metric: visits_total}
    """)


def chain_journey() -> Journey:
    return parse_journey(CHAIN_SPEC, "shop.yaml")


def obsgen(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """The real command line, in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "obsgen", *args], cwd=cwd, capture_output=True, text=True)


def position_of(text: str, needle: str, offset_in_needle: int = 0) -> tuple[int, int]:
    """1-based line and column of needle (plus an offset into it) in text: where an error must point."""
    index = text.index(needle) + offset_in_needle
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column
