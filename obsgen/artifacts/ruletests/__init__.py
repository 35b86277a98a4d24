"""Generated promtool rule unit tests: every alert proven to fire, not fire, and resolve.

Scenarios (scenarios.py) build synthetic input series from the model's own selectors
(world.py, values.py); the expected outcome of every rule is computed by a reference
evaluator (reference.py, promsim.py) and written as a promtool test file (testfile.py),
which promtool then checks against the generated PromQL (runner.py).
"""

from obsgen.artifacts.ruletests.testfile import rule_test_document, rule_test_path

__all__ = ["rule_test_document", "rule_test_path"]
