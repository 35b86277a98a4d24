"""The two Alertmanager HTTP API (v2) calls verify and drill need: its status (running config) and alerts."""

from __future__ import annotations

from obsgen.clients.http import ApiError, JsonHttp


class AlertmanagerApi:
    def __init__(self, base_url: str):
        self._http = JsonHttp(base_url)
        self.base_url = base_url

    def status(self) -> dict:
        """Cluster, version and the running config (config.original, as Alertmanager re-serialised it)."""
        body, _, status = self._http.get("/api/v2/status")
        if status != 200 or not isinstance(body, dict):
            raise ApiError(f"Alertmanager /api/v2/status: HTTP {status}: {body}")
        return body

    def alerts(self) -> list[dict]:
        """Active, silenced and inhibited alerts (v2); each has status.state and status.inhibitedBy."""
        body, _, status = self._http.get("/api/v2/alerts")
        if status != 200 or not isinstance(body, list):
            raise ApiError(f"Alertmanager /api/v2/alerts: HTTP {status}: {body}")
        return body
