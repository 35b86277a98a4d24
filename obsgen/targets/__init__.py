"""Delivery targets: post-processors that wrap the emitters' rule groups and dashboards for an engine.

A target never reads the spec; it reads the artifacts the emitters produced, writes under
`targets/<target>/` inside the journey's output directory, and brings a validator that checks
its files the way the engine would (promtool for rule bodies, the CRD schema for the wrapper).
The `prometheus` target is the plain rule files the emitters already write, so it adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable, Sequence

from obsgen.artifacts.base import Artifact, Validator
from obsgen.artifacts.built import DeliveryInputs, from_artifacts
from obsgen.artifacts.layout import target_dir
from obsgen.model import Journey
from obsgen.targets import mimir, mixin, prometheus, prometheus_operator, thanos
from obsgen.targets.options import TargetOptions


@dataclass(frozen=True)
class Target:
    name: str
    # None: the target's delivery is the emitters' own files (nothing under targets/<name>/).
    render: Callable[[Journey, DeliveryInputs, TargetOptions], list[Artifact]] | None
    check: Callable[[Path, Journey, TargetOptions], list[str]]


TARGETS: dict[str, Target] = {
    "prometheus": Target("prometheus", None, prometheus.check),
    "prometheus-operator": Target("prometheus-operator", prometheus_operator.render, prometheus_operator.check),
    "mimir": Target("mimir", mimir.render, partial(mimir.check, tool="mimirtool")),
    "cortex": Target("cortex", mimir.render, partial(mimir.check, tool="cortextool")),
    "thanos": Target("thanos", thanos.render, thanos.check),
    "mixin": Target("mixin", mixin.render, mixin.check),
}
DEFAULT_TARGETS = ("prometheus",)


def _selected(names: Sequence[str]) -> list[Target]:
    unknown = sorted(set(names) - set(TARGETS))
    if unknown:
        raise ValueError(f"unknown target(s) {', '.join(unknown)}; known: {', '.join(TARGETS)}")
    return [TARGETS[name] for name in sorted(set(names))]


def emit(journey: Journey, artifacts: list[Artifact], names: Sequence[str],
         options: TargetOptions | None = None) -> list[Artifact]:
    """The files of every named target, paths relative to the journey directory."""
    options = options or TargetOptions()
    rendering = [target for target in _selected(names) if target.render is not None]
    if not rendering:  # the default build: the emitters' files are not parsed back for nothing
        return []
    inputs = from_artifacts(artifacts)
    return [Artifact(f"{target_dir(target.name)}/{a.path}", a.content)
            for target in rendering for a in target.render(journey, inputs, options)]


def validators(names: Sequence[str], options: TargetOptions | None = None) -> list[Validator]:
    options = options or TargetOptions()

    def validator(target: Target) -> Validator:
        return lambda staged, journey: target.check(staged / target_dir(target.name), journey, options)

    return [validator(target) for target in _selected(names)]


__all__ = ["DEFAULT_TARGETS", "TARGETS", "Target", "TargetOptions", "emit", "target_dir", "validators"]
