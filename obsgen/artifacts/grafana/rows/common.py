"""Small helpers the rows share: units per stage kind, focus stage, even widths."""

from __future__ import annotations

from obsgen.artifacts.grafana.layout import GRID_COLUMNS
from obsgen.model import Journey, Stage

HTTP_KIND = "http"


def rate_unit(stage: Stage) -> str:
    """Requests per second for HTTP stages, operations (tasks) per second otherwise."""
    return "reqps" if stage.kind == HTTP_KIND else "ops"


def event_word(stage: Stage) -> str:
    return "requests" if stage.kind == HTTP_KIND else "tasks"


def focus_stage(journey: Journey) -> Stage:
    """The stage most SLOs watch (checkout in the seed): the journey's headline numbers come from it."""
    counts = {s.name: sum(s.name in slo.stages for slo in journey.slos) for s in journey.stages}
    best = max(counts.values())
    return next(s for s in journey.stages if counts[s.name] == best)


def even_width(count: int, minimum: int = 4) -> int:
    """Width that fits ``count`` panels on one line, but never narrower than ``minimum``."""
    return max(minimum, GRID_COLUMNS // max(count, 1))


def stage_titles(journey: Journey, names) -> str:
    return ", ".join(journey.stage(n).title for n in names)
