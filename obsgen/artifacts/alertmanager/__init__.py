"""Alertmanager configuration: routes by journey and severity, inhibition from the impact map, amtool checks."""
