"""Automatic layout on Grafana's 24-column grid: rows stacked, panels flowing left to right.

Each section (dashboard row) starts with a row header one unit high; its panels fill lines of 24
columns in the order given and wrap when the next one does not fit. A line is as high as its
tallest panel, so no two panels can overlap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from obsgen.artifacts.grafana import grafana
from obsgen.artifacts.grafana.ids import panel_ids

GRID_COLUMNS = 24
ROW_HEIGHT = 1


@dataclass(frozen=True)
class PanelDef:
    key: str  # stable identity: the panel id is derived from it (obsgen.artifacts.grafana.ids)
    panel: dict  # built by obsgen.artifacts.grafana.grafana
    width: int
    height: int
    stages: tuple[str, ...] = ()  # the stages this panel is about: a change to one of them may change it

    def __post_init__(self) -> None:
        if not 0 < self.width <= GRID_COLUMNS or self.height <= 0:
            raise ValueError(f"panel {self.key}: size {self.width}x{self.height} does not fit the grid")


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    panels: tuple[PanelDef, ...] = field(default_factory=tuple)


def row_key(section: Section) -> str:
    return f"row/{section.key}"


def layout(sections: list[Section]) -> list[dict]:
    """Every panel of every section, with ``gridPos`` and ``id`` set, in reading order."""
    keys = [row_key(s) for s in sections] + [p.key for s in sections for p in s.panels]
    ids = panel_ids(keys)
    placed: list[dict] = []
    y = 0
    for section in sections:
        header = grafana.row(section.title)
        placed.append({**header, "id": ids[row_key(section)], "gridPos": _pos(0, y, GRID_COLUMNS, ROW_HEIGHT)})
        y += ROW_HEIGHT
        x, line_height = 0, 0
        for panel in section.panels:
            if x + panel.width > GRID_COLUMNS:
                y, x, line_height = y + line_height, 0, 0
            placed.append({**panel.panel, "id": ids[panel.key], "gridPos": _pos(x, y, panel.width, panel.height)})
            x += panel.width
            line_height = max(line_height, panel.height)
        y += line_height
    return placed


def _pos(x: int, y: int, w: int, h: int) -> dict:
    return {"x": x, "y": y, "w": w, "h": h}
