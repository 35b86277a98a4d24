"""Grafana dashboards from the journey model, built with grafanalib through ``obsgen.artifacts.grafana.grafana``.

``dashboard.build_dashboard(journey)`` returns the dashboard as plain JSON data; ``provisioning`` holds the
datasource and dashboard-provider files that load it. Nothing is imported here: the runbook reads the rows'
titles (``titles``) without loading grafanalib.
"""
