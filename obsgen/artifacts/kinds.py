"""Every artifact kind of a build, listed once: the pipeline emits and checks each journey and the fleet
through this list. Adding a kind is adding its package (builder, emitter, fleet variant, checks, and
its ArtifactKind) and one entry here.

Not in obsgen/artifacts/__init__.py: a module that reads only the layout or the base types (the
delivery targets, verify) must not load every builder with it.
"""

from __future__ import annotations

from obsgen.artifacts.alertmanager.emit import KIND as ALERTMANAGER
from obsgen.artifacts.base import ArtifactKind
from obsgen.artifacts.grafana.emit import KIND as GRAFANA
from obsgen.artifacts.impact.emit import KIND as IMPACT
from obsgen.artifacts.prometheus.emit import KIND as PROMETHEUS
from obsgen.artifacts.ruletests.emit import KIND as RULE_TESTS
from obsgen.artifacts.runbook.emit import KIND as RUNBOOK

KINDS: tuple[ArtifactKind, ...] = (PROMETHEUS, GRAFANA, IMPACT, ALERTMANAGER, RUNBOOK, RULE_TESTS)
