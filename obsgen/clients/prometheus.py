"""The few Prometheus and Alertmanager HTTP API calls verify and drill need, each timed.

Thin on purpose: results stay the APIs' own JSON, so what a check reads is what a person
sees with curl. Every call measures its wall time, which is part of what verify reports.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import requests

from obsgen.errors import ObsgenError

TIMEOUT_SECONDS = 30.0


class ApiError(ObsgenError):
    """An API answered with an error, or could not be reached."""


@dataclass(frozen=True)
class Answer:
    data: Any
    seconds: float  # wall time of the HTTP call, as a dashboard user would wait for it
    warnings: tuple[str, ...] = ()


@dataclass
class _Http:
    base_url: str
    session: requests.Session = field(default_factory=requests.Session)

    def get(self, path: str, params: dict | list | None = None) -> tuple[Any, float, int]:
        url = f"{self.base_url.rstrip('/')}{path}"
        started = time.perf_counter()
        try:
            response = self.session.get(url, params=params, timeout=TIMEOUT_SECONDS)
        except requests.RequestException as error:
            raise ApiError(f"cannot reach {url}: {error}") from error
        seconds = time.perf_counter() - started
        try:
            body = response.json()
        except ValueError:
            raise ApiError(f"{url}: HTTP {response.status_code}, not JSON: {response.text[:200]}") from None
        return body, seconds, response.status_code


class PrometheusApi:
    def __init__(self, base_url: str):
        self._http = _Http(base_url)
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


class AlertmanagerApi:
    def __init__(self, base_url: str):
        self._http = _Http(base_url)
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


def _window(start: float | None, end: float | None) -> dict:
    params = {}
    if start is not None:
        params["start"] = _timestamp(start)
    if end is not None:
        params["end"] = _timestamp(end)
    return params


def _timestamp(seconds: float) -> str:
    return f"{seconds:.3f}"
