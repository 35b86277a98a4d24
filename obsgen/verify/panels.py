"""The Prometheus queries of a Grafana dashboard, with the panel each belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

PROMETHEUS = "prometheus"


@dataclass(frozen=True)
class PanelTarget:
    panel_id: int
    panel_title: str
    ref_id: str
    expr: str
    instant: bool
    datasource: str  # plugin type: "prometheus", "jaeger", ...

    @property
    def label(self) -> str:
        return f"{self.panel_title} [{self.ref_id}]"


def panels(dashboard: dict) -> Iterator[dict]:
    """Every panel, including those inside collapsed rows."""
    for panel in dashboard.get("panels") or []:
        yield panel
        yield from panel.get("panels") or []


def _datasource_types(dashboard: dict) -> dict[str, str]:
    """Datasource variable reference ("${datasource}", "$datasource") -> plugin type."""
    found = {}
    for variable in (dashboard.get("templating") or {}).get("list") or []:
        if variable.get("type") == "datasource":
            name = variable["name"]
            found[f"${{{name}}}"] = found[f"${name}"] = variable.get("query", "")
    return found


def _datasource_type(reference, variables: dict[str, str]) -> str | None:
    if isinstance(reference, dict):
        if reference.get("type"):
            return reference["type"]
        return variables.get(reference.get("uid", ""))
    if isinstance(reference, str):
        return variables.get(reference)
    return None


def targets(dashboard: dict) -> list[PanelTarget]:
    variables = _datasource_types(dashboard)
    found = []
    for panel in panels(dashboard):
        panel_type = _datasource_type(panel.get("datasource"), variables)
        for target in panel.get("targets") or []:
            kind = _datasource_type(target.get("datasource"), variables) or panel_type
            if kind is None and "expr" in target:
                kind = PROMETHEUS  # the dashboard default for a bare PromQL target
            found.append(PanelTarget(
                panel_id=panel.get("id", 0),
                panel_title=panel.get("title", ""),
                ref_id=target.get("refId", ""),
                expr=target.get("expr", ""),
                instant=bool(target.get("instant")) and not target.get("range"),
                datasource=kind or "unknown",
            ))
    return found
