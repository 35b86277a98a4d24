"""The default target: the plain rule files the Prometheus emitter already writes to prometheus/.

Nothing is added under targets/prometheus/; those files are validated by the emitter's own
promtool check, and `rule_files:` in prometheus.yml points at them directly.
"""

from __future__ import annotations

from pathlib import Path

from obsgen.model import Journey
from obsgen.targets.options import TargetOptions


def check(directory: Path, journey: Journey, options: TargetOptions) -> list[str]:
    return []
