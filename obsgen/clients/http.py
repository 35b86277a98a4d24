"""What the Prometheus and Alertmanager clients share: a timed JSON GET and its errors."""

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
class JsonHttp:
    """GET a JSON answer, timed; ApiError when the server cannot be reached or answers no JSON."""

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
