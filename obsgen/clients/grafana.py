"""A small Grafana HTTP API client: folders and dashboards, bounded retries, readable errors.

The token comes from the environment only and lives in the session's headers; no message this
module builds contains it (requests' own exceptions name the URL, never the headers).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Callable
from urllib.parse import quote, urlsplit, urlunsplit

import requests

from obsgen.errors import ObsgenError

TOKEN_ENV = "GRAFANA_TOKEN"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class GrafanaError(ObsgenError):
    """Grafana refused or could not be reached; the message says what to do about it."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # first try + 3 retries
    backoff: float = 0.5  # seconds before the first retry, doubled each time
    max_backoff: float = 8.0

    def delay(self, retry: int) -> float:
        return min(self.backoff * 2 ** retry, self.max_backoff)


@dataclass(frozen=True)
class Response:
    status: int
    body: dict

    @property
    def message(self) -> str:
        return str(self.body.get("message") or "")


def token_from_environment() -> str:
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise GrafanaError(f"set {TOKEN_ENV} to a Grafana service-account token (Editor role); obsgen reads the "
                           f"token from the environment only, never from an argument or a file")
    return token


def checked_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise GrafanaError(f"--grafana-url must be an http(s) URL, got {url!r}")
    if parts.username or parts.password:
        raise GrafanaError(f"--grafana-url carries credentials; they would land in shell history and logs. "
                           f"Give the URL without them and the token in ${TOKEN_ENV}")
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


class GrafanaClient:
    def __init__(self, base_url: str, token: str, *, timeout: float = 10.0, retry: RetryPolicy = RetryPolicy(),
                 sleep: Callable[[float], None] = time.sleep):
        self.base_url = checked_base_url(base_url)
        self.timeout = timeout
        self.retry = retry
        self.sleep = sleep
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})
        # Never pick up ~/.netrc or proxy credentials behind the user's back.
        self.session.trust_env = False

    # ------------------------------------------------------------------ transport

    def request(self, method: str, path: str, json_body: dict | None = None) -> Response:
        """One API call with bounded retries on 429/5xx, timeouts and refused connections."""
        url = f"{self.base_url}{path}"
        last_problem = ""
        for attempt in range(self.retry.attempts):
            if attempt:
                self.sleep(self.retry.delay(attempt - 1))
            try:
                answer = self.session.request(method, url, json=json_body, timeout=self.timeout)
            except requests.Timeout:
                last_problem = f"no answer within {self.timeout:g}s"
                continue
            except requests.ConnectionError as error:
                last_problem = f"cannot connect ({type(error).__name__})"
                continue
            response = Response(answer.status_code, _json_body(answer))
            if response.status not in RETRY_STATUSES:
                return response
            last_problem = f"HTTP {response.status} {response.message}".rstrip()
        raise GrafanaError(f"{method} {url}: {last_problem} on {self.retry.attempts} attempts; giving up "
                           f"(Grafana down or overloaded?)")

    # ------------------------------------------------------------------ API

    def get_folder(self, uid: str) -> dict | None:
        response = self.request("GET", f"/api/folders/{quote(uid, safe='')}")
        if response.status == 404:
            return None
        self._raise_for(response, f"reading folder {uid!r}")
        return response.body

    def create_folder(self, uid: str, title: str) -> dict:
        response = self.request("POST", "/api/folders", {"uid": uid, "title": title})
        if response.status == 409:
            raise GrafanaError(f"creating folder {uid!r}: Grafana says a folder titled {title!r} already exists "
                               f"(with another uid): {response.message}. Rename or remove that folder")
        self._raise_for(response, f"creating folder {uid!r}")
        return response.body

    def get_dashboard(self, uid: str) -> dict | None:
        """{"dashboard": …, "meta": …} or None when Grafana has no dashboard with this uid."""
        response = self.request("GET", f"/api/dashboards/uid/{quote(uid, safe='')}")
        if response.status == 404:
            return None
        self._raise_for(response, f"reading dashboard {uid!r}")
        return response.body

    def save_dashboard(self, dashboard: dict, *, folder_uid: str, message: str, overwrite: bool) -> dict:
        body = {"dashboard": dashboard, "folderUid": folder_uid, "message": message, "overwrite": overwrite}
        response = self.request("POST", "/api/dashboards/db", body)
        uid, title = dashboard.get("uid"), dashboard.get("title")
        what = f"saving dashboard {uid!r} ({title!r})"
        status = response.body.get("status")
        if response.status == 412 and status == "version-mismatch":
            raise GrafanaError(f"{what}: Grafana holds another version of it (412 version-mismatch: "
                               f"{response.message}). Someone changed it in Grafana; review `obsgen diff "
                               f"--grafana-url`, then push without --no-overwrite to replace it")
        if response.status == 412 and status == "name-exists":
            raise GrafanaError(f"{what}: another dashboard titled {title!r} already exists in folder "
                               f"{folder_uid!r} (412 name-exists). Rename one of them, or push without "
                               f"--no-overwrite to replace it")
        if response.status == 412 and status == "plugin-dashboard":
            raise GrafanaError(f"{what}: a plugin owns a dashboard with this uid (412 plugin-dashboard: "
                               f"{response.message}); choose another uid")
        if response.status == 400 and "provisioned" in response.message.lower():
            raise GrafanaError(f"{what}: Grafana loads this dashboard from provisioning files on its server "
                               f"(400: {response.message}); the API cannot change it. Remove it from the "
                               f"provisioning directory, or deliver it there instead of pushing")
        if response.status in (400, 404) and "folder" in response.message.lower() and "not found" in response.message.lower():
            raise GrafanaError(f"{what}: folder {folder_uid!r} not found ({response.status}: {response.message}); "
                               f"it was deleted while pushing? Run `obsgen push` again to recreate it")
        self._raise_for(response, what)
        return response.body

    # ------------------------------------------------------------------ errors

    def _raise_for(self, response: Response, what: str) -> None:
        if 200 <= response.status < 300:
            return
        if response.status == 401:
            raise GrafanaError(f"{what}: Grafana rejected the token (401 Unauthorized: {response.message}). "
                               f"Check that ${TOKEN_ENV} holds a valid, unexpired service-account token for "
                               f"{self.base_url}")
        if response.status == 403:
            raise GrafanaError(f"{what}: the token is valid but not allowed to do this (403 Forbidden: "
                               f"{response.message}). Give the service account the Editor role, or "
                               f"folders:create and dashboards:write on this folder")
        if response.status == 400:
            raise GrafanaError(f"{what}: Grafana rejected the request (400: {response.message})")
        raise GrafanaError(f"{what}: unexpected answer {response.status}: {response.message or response.body}")


def _json_body(answer: requests.Response) -> dict:
    try:
        body = answer.json()
    except ValueError:
        return {"message": answer.text[:200]}
    return body if isinstance(body, dict) else {"value": body}
