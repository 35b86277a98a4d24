"""The few Prometheus HTTP API calls verify and drill need, each timed.

Thin on purpose: results stay the API's own JSON, so what a check reads is what a person
sees with curl. Every call measures its wall time, which is part of what verify reports.
"""

from __future__ import annotations

from obsgen.clients.http import Answer, ApiError, JsonHttp


class PrometheusApi:
    def __init__(self, base_url: str):
        self._http = JsonHttp(base_url)
        self.base_url = base_url

    def _get(self, path: str, params: dict | list | None = None) -> Answer:
        body, seconds, status = self._http.get(path, params)
        if not isinstance(body, dict) or body.get("status") != "success":
            error = body.get("error") if isinstance(body, dict) else body
            raise ApiError(f"Prometheus {path}: HTTP {status}: {error}")
        return Answer(body.get("data"), seconds, tuple(body.get("warnings") or ()))

    def metric_names(self, start: float | None = None, end: float | None = None) -> list[str]:
        return list(self._get("/api/v1/label/__name__/values", _window(start, end)).data)

    def series(self, selector: str, start: float | None = None, end: float | None = None) -> list[dict]:
        return list(self._get("/api/v1/series", [("match[]", selector), *_window(start, end).items()]).data)

    def query(self, expr: str, at: float | None = None, stats: bool = False) -> Answer:
        params = {"query": expr}
        if at is not None:
            params["time"] = _timestamp(at)
        if stats:
            params["stats"] = "all"
        return self._get("/api/v1/query", params)

    def query_range(self, expr: str, start: float, end: float, step: float, stats: bool = False) -> Answer:
        params = {"query": expr, "start": _timestamp(start), "end": _timestamp(end), "step": f"{step:g}"}
        if stats:
            params["stats"] = "all"
        return self._get("/api/v1/query_range", params)

    def rules(self) -> list[dict]:
        return list(self._get("/api/v1/rules").data["groups"])

    def alerts(self) -> list[dict]:
        return list(self._get("/api/v1/alerts").data["alerts"])

    def alertmanagers(self) -> list[dict]:
        """The Alertmanagers Prometheus sends alerts to (each with its push url)."""
        return list(self._get("/api/v1/alertmanagers").data.get("activeAlertmanagers") or [])

    def server_time(self) -> float:
        """Prometheus' clock (time() at the server), so windows line up with its data."""
        return float(self.query("time()").data["result"][0])


def _window(start: float | None, end: float | None) -> dict:
    params = {}
    if start is not None:
        params["start"] = _timestamp(start)
    if end is not None:
        params["end"] = _timestamp(end)
    return params


def _timestamp(seconds: float) -> str:
    return f"{seconds:.3f}"
