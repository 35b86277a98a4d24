"""Deliver dashboards to a running Grafana through its HTTP API (`obsgen push`)."""
