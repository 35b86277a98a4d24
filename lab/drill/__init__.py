"""`obsgen drill`: the seed's failure exercise, automated on the native stack.

Stop a dependency under traffic, watch the generated alerts fire in Prometheus and reach (or be
inhibited in) Alertmanager, restore it, and compare what happened with the impact map.
"""

from lab.drill.runner import DrillError, DrillOptions, DrillResult, run_drill

__all__ = ["DrillError", "DrillOptions", "DrillResult", "run_drill"]
