"""A loopback HTTP server answering the Grafana HTTP API calls obsgen makes, as Grafana documents them.

Not a mock of obsgen: a small Grafana stand-in with its own state (folders, dashboards with
versions, provisioned dashboards, service-account roles) so the client is tested over real HTTP.
Endpoints and answers follow Grafana's HTTP API docs (folders, dashboards by uid, POST
/api/dashboards/db with its 400/401/403/404/412 answers). Faults can be queued: an HTTP status
for the next requests, or a stall longer than the client's timeout.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


@dataclass
class State:
    tokens: dict[str, str] = field(default_factory=dict)  # token -> role (Viewer | Editor)
    folders: dict[str, dict] = field(default_factory=dict)
    dashboards: dict[str, dict] = field(default_factory=dict)  # uid -> {dashboard, folderUid, version, provisioned, message}
    faults: list[tuple[str, float]] = field(default_factory=list)  # ("status", 503) | ("stall", 1.5)
    requests: list[dict] = field(default_factory=list)
    before: Callable[[str, str], None] | None = None  # a hook to emulate someone else acting meanwhile
    next_id: int = 1
    lock: threading.Lock = field(default_factory=threading.Lock)


class Handler(BaseHTTPRequestHandler):
    state: State  # set on the subclass made per server

    def log_message(self, format, *args):  # keep test output clean
        pass

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    # ------------------------------------------------------------------ plumbing

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        state = self.state
        with state.lock:
            state.requests.append({"method": method, "path": self.path, "body": body,
                                   "authorization": self.headers.get("Authorization")})
            fault = state.faults.pop(0) if state.faults else None
            hook = state.before
        if fault and fault[0] == "stall":
            time.sleep(fault[1])
        elif fault and fault[0] == "status":
            return self._send(int(fault[1]), {"message": "Service Unavailable"})
        if hook:
            hook(method, self.path)
        role = self._role()
        if role is None:
            return self._send(401, {"message": "Invalid API key"})
        with state.lock:
            status, answer = self._route(method, body, role)
        self._send(status, answer)

    def _role(self) -> str | None:
        header = self.headers.get("Authorization") or ""
        token = header.removeprefix("Bearer ") if header.startswith("Bearer ") else None
        return self.state.tokens.get(token) if token else None

    def _send(self, status: int, answer: dict) -> None:
        data = json.dumps(answer).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            pass

    def _route(self, method: str, body: dict | None, role: str) -> tuple[int, dict]:
        path = self.path.split("?", 1)[0]
        if method == "GET" and (m := re.fullmatch(r"/api/folders/([^/]+)", path)):
            return self._get_folder(m.group(1))
        if method == "POST" and path == "/api/folders":
            return self._forbidden("folders:create") if role != "Editor" else self._create_folder(body or {})
        if method == "GET" and (m := re.fullmatch(r"/api/dashboards/uid/([^/]+)", path)):
            return self._get_dashboard(m.group(1))
        if method == "POST" and path == "/api/dashboards/db":
            return self._forbidden("dashboards:write") if role != "Editor" else self._save_dashboard(body or {})
        return 404, {"message": "Not found"}

    @staticmethod
    def _forbidden(action: str) -> tuple[int, dict]:
        return 403, {"message": f"You'll need additional permissions to perform this action. "
                                f"Permissions needed: {action}", "title": "Access denied"}

    # ------------------------------------------------------------------ folders

    def _get_folder(self, uid: str) -> tuple[int, dict]:
        folder = self.state.folders.get(uid)
        if folder is None:
            return 404, {"message": "folder not found", "status": "not-found"}
        return 200, folder

    def _create_folder(self, body: dict) -> tuple[int, dict]:
        uid, title = body.get("uid") or f"f{self.state.next_id}", body.get("title") or ""
        if not title:
            return 400, {"message": "folder title cannot be empty"}
        if uid in self.state.folders or any(f["title"] == title for f in self.state.folders.values()):
            return 409, {"message": "a folder with the same name already exists"}
        folder = {"id": self.state.next_id, "uid": uid, "title": title,
                  "url": f"/dashboards/f/{uid}/{slug(title)}", "version": 1}
        self.state.next_id += 1
        self.state.folders[uid] = folder
        return 200, folder

    # ------------------------------------------------------------------ dashboards

    def _get_dashboard(self, uid: str) -> tuple[int, dict]:
        stored = self.state.dashboards.get(uid)
        if stored is None:
            return 404, {"message": "Dashboard not found"}
        return 200, {"dashboard": copy.deepcopy(stored["dashboard"]),
                     "meta": {"folderUid": stored["folderUid"], "provisioned": stored["provisioned"],
                              "version": stored["version"], "slug": slug(stored["dashboard"]["title"]),
                              "url": f"/d/{uid}/{slug(stored['dashboard']['title'])}"}}

    def _save_dashboard(self, body: dict) -> tuple[int, dict]:
        dashboard = copy.deepcopy(body.get("dashboard") or {})
        folder_uid, overwrite = body.get("folderUid") or "", bool(body.get("overwrite"))
        title = dashboard.get("title") or ""
        if not title:
            return 400, {"message": "Dashboard title cannot be empty"}
        if folder_uid and folder_uid not in self.state.folders:
            return 404, {"message": "folder not found", "status": "not-found"}
        uid = dashboard.get("uid") or f"d{self.state.next_id}"
        existing = self.state.dashboards.get(uid)
        if existing and existing["provisioned"]:
            return 400, {"message": "Cannot save provisioned dashboard"}
        if existing and not overwrite and dashboard.get("version") != existing["version"]:
            return 412, {"message": "The dashboard has been changed by someone else", "status": "version-mismatch"}
        same_title = [u for u, d in self.state.dashboards.items()
                      if u != uid and d["folderUid"] == folder_uid and d["dashboard"]["title"] == title]
        if same_title and not overwrite:
            return 412, {"message": "A dashboard with the same name in the folder already exists",
                         "status": "name-exists"}
        for other in same_title:
            del self.state.dashboards[other]
        version = existing["version"] + 1 if existing else 1
        dashboard.update({"uid": uid, "version": version,
                          "id": existing["dashboard"]["id"] if existing else self.state.next_id})
        self.state.next_id += 1
        self.state.dashboards[uid] = {"dashboard": dashboard, "folderUid": folder_uid, "version": version,
                                      "provisioned": False, "message": body.get("message", "")}
        return 200, {"id": dashboard["id"], "uid": uid, "url": f"/d/{uid}/{slug(title)}", "status": "success",
                     "version": version, "slug": slug(title)}


class FakeGrafana:
    def __init__(self, tokens: dict[str, str]):
        self.state = State(tokens=dict(tokens))
        handler = type("BoundHandler", (Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeGrafana":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def provision(self, dashboard: dict, folder_uid: str = "") -> None:
        """A dashboard Grafana loaded from provisioning files on its own disk."""
        self.state.dashboards[dashboard["uid"]] = {
            "dashboard": {**dashboard, "id": 999, "version": 1}, "folderUid": folder_uid, "version": 1,
            "provisioned": True, "message": ""}

    def writes(self) -> list[dict]:
        return [r for r in self.state.requests if r["method"] == "POST"]
