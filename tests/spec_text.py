"""Spec text the spec tests start from, and how they read the problems a spec has."""

from __future__ import annotations

import pytest

from obsgen.build.load import parse_journey
from obsgen.errors import SpecError

# Everything above spec's own sections: a journey "shop" of team "web".
METADATA = """\
apiVersion: obsgen/v1
kind: Journey
metadata:
  name: shop
  service: shop
  team: web
  runbookBaseUrl: https://runbooks.example.com
spec:
"""

# The smallest valid journey: one HTTP stage.
SHOP = METADATA + """\
  stages:
    - name: checkout
      profile: http
      match: {handler: /checkout}
"""

# One availability SLO of SHOP's stage; append its options.
AVAILABILITY_SLO = """\
  slos:
    - name: checkout
      type: availability
      stages: [checkout]
      objective: 99.9
"""

# An SLO without events (time slices of a freshness SLI), for checks that need one; append its options.
FRESHNESS_SLO = """\
  slos:
    - name: fresh
      type: freshness
      freshness: {metric: job_last_success_timestamp_seconds, maxAge: 26h}
      objective: 99
"""


def problems(text: str) -> list[str]:
    """The positioned problems of a spec that must not resolve, as `file:line:col: message`."""
    with pytest.raises(SpecError) as caught:
        parse_journey(text, "shop.yaml")
    return [str(d) for d in caught.value.diagnostics]
