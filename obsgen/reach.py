"""What a dependency's failure reaches in the model alone (no alerts): the dependencies that fail
with it, the stages they serve and the SLOs that burn. The impact map (obsgen.artifacts.impact.compute) adds the
alerts; the rules use it too (a cause's companion alert needs its symptoms' windows), so it imports
nothing from either.
"""

from __future__ import annotations

from dataclasses import dataclass

from obsgen.model import Journey, Slo, SloType

USER_FACING_KINDS = ("http",)  # stage kinds a user waits on; every other kind runs in the background


@dataclass(frozen=True)
class AffectedStage:
    name: str
    title: str
    feature: str
    via: tuple[str, ...]  # the broken dependencies that this stage uses directly
    direct: bool  # the failed dependency itself is one of them


@dataclass(frozen=True)
class BurningSlo:
    name: str
    title: str
    type: str
    reason: str


# -- the dependency graph ------------------------------------------------------------------


def dependents(journey: Journey) -> dict[str, list[str]]:
    """dependency -> the dependencies that list it in dependsOn (reverse edges)."""
    needed_by: dict[str, list[str]] = {d.name: [] for d in journey.dependencies}
    for dep in journey.dependencies:
        for needed in dep.depends_on:
            needed_by[needed].append(dep.name)
    return needed_by


def broken_set(journey: Journey, failed: str) -> tuple[str, ...]:
    """The failed dependency and every dependency that needs it, transitively, in spec order."""
    needed_by = dependents(journey)
    seen = {failed}
    pending = [failed]
    while pending:
        for dependent in needed_by[pending.pop()]:
            if dependent not in seen:
                seen.add(dependent)
                pending.append(dependent)
    return tuple(d.name for d in journey.dependencies if d.name in seen)


# -- stages and SLOs ------------------------------------------------------------------


def affected_stages(journey: Journey, failed: str, broken: tuple[str, ...]) -> tuple[AffectedStage, ...]:
    deps = [journey.dependency(name) for name in broken]
    stages = []
    for stage in journey.stages:
        via = tuple(d.name for d in deps if stage.name in d.stages)
        if via:
            stages.append(AffectedStage(stage.name, stage.title, stage.feature, via, failed in via))
    return tuple(stages)


def first_background_index(journey: Journey) -> int:
    """Index of the first stage that runs in the background; 0 when every stage is user-facing."""
    for index, stage in enumerate(journey.stages):
        if stage.kind not in USER_FACING_KINDS:
            return index
    return 0


def journey_time_stages(journey: Journey) -> tuple[str, ...]:
    """The stages whose failure makes completed journeys late: the first background stage and after."""
    return tuple(s.name for s in journey.stages[first_background_index(journey):])


def _slo_reason(journey: Journey, slo: Slo, affected: set[str]) -> str | None:
    if slo.type == SloType.JOURNEY_TIME:
        late = [name for name in journey_time_stages(journey) if name in affected]
        if not late:
            return None
        return f"journeys wait for {', '.join(late)}, so they complete late or not at all"
    hit = [name for name in slo.stages if name in affected]
    return f"measures {', '.join(hit)}" if hit else None


def burning_slos(journey: Journey, stages: tuple[AffectedStage, ...]) -> tuple[BurningSlo, ...]:
    affected = {s.name for s in stages}
    burning = []
    for slo in journey.slos:
        reason = _slo_reason(journey, slo, affected)
        if reason:
            burning.append(BurningSlo(slo.name, slo.title, slo.type, reason))
    return tuple(burning)
