"""Dependency impact: what breaks when a dependency fails, as data, text and pictures.

`compute` holds the rules (see its docstring); everything else renders its result.
"""

from obsgen.artifacts.impact.compute import (AffectedStage, AlertRef, BurningSlo, DependencyImpact, DroppingMetric,
                                             ImpactMap, broken_set, impact_map)

__all__ = ["AffectedStage", "AlertRef", "BurningSlo", "DependencyImpact", "DroppingMetric", "ImpactMap",
           "broken_set", "impact_map"]
