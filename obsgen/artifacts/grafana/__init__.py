"""Grafana dashboards from the journey model, built with grafanalib through ``obsgen.artifacts.grafana.grafana``.

``build_dashboard(journey)`` returns the dashboard as plain JSON data; ``provisioning`` holds the
datasource and dashboard-provider files that load it.
"""

from obsgen.artifacts.grafana.dashboard import build_dashboard, sections

__all__ = ["build_dashboard", "sections"]
