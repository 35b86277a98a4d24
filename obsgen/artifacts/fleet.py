"""What the fleet variants of the kinds share. The journeys of one build produce files together under
generated/_fleet/ (the shared dependencies' alerts and their tests, one Alertmanager configuration, the
index dashboard; each kind's own emit module writes its part). Fleet emitters read the resolved ``Fleet``
only, like journey emitters read a ``Journey``.
"""

from __future__ import annotations

import dataclasses
import hashlib

from obsgen.model import Fleet, Journey
from obsgen.spec.fleet import FLEET_NAME


def fleet_source(fleet: Fleet) -> str:
    return ", ".join(j.source for j in fleet.journeys)


def delivery_subject(fleet: Fleet) -> Journey:
    """The fleet dressed as a journey for delivery targets, which name their objects after one."""
    digest = hashlib.sha256("".join(j.source_sha256 for j in fleet.journeys).encode()).hexdigest()
    return dataclasses.replace(fleet.journeys[0], name=FLEET_NAME, title="Journeys", source=fleet_source(fleet),
                               source_sha256=digest)
