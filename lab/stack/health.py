"""Readiness probes (TCP and HTTP on loopback) and waiting for them."""

from __future__ import annotations

import dataclasses
import re
import socket
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

# Never route loopback probes through an HTTP proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Probe(Protocol):
    def describe(self) -> str: ...

    def failure(self) -> str | None:
        """None when ready, otherwise why not."""


@dataclasses.dataclass(frozen=True)
class TcpProbe:
    host: str
    port: int

    def describe(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    def failure(self) -> str | None:
        try:
            with socket.create_connection((self.host, self.port), timeout=1.0):
                return None
        except OSError as error:
            return f"{self.describe()}: {error.strerror or error}"


@dataclasses.dataclass(frozen=True)
class HttpProbe:
    url: str
    # None accepts any HTTP answer (the server is up even if its upstream is not).
    expected_status: int | None = 200

    def describe(self) -> str:
        return self.url

    def failure(self) -> str | None:
        status, reason = http_status(self.url)
        if status is None:
            return f"{self.url}: {reason}"
        if self.expected_status is not None and status != self.expected_status:
            return f"{self.url}: HTTP {status}, expected {self.expected_status}"
        return None


def http_status(url: str, timeout: float = 2.0) -> tuple[int | None, str]:
    try:
        with _OPENER.open(url, timeout=timeout) as response:
            return response.status, "ok"
    except urllib.error.HTTPError as error:
        return error.code, str(error.reason)
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return None, str(reason)


def http_get(url: str, timeout: float = 5.0, method: str = "GET") -> tuple[int, bytes]:
    request = urllib.request.Request(url, method=method)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    return TcpProbe(host, port).failure() is None


def first_failure(probes: Sequence[Probe]) -> str | None:
    """The first probe's failure reason, None when all pass (probes run in order, cheap first)."""
    for probe in probes:
        reason = probe.failure()
        if reason is not None:
            return reason
    return None


_ERROR_LINE = re.compile(r"\b(error|fatal|panic|failed)\b", re.IGNORECASE)


def first_errors(path: Path, limit: int = 5) -> list[str]:
    """The first error-looking lines of a log: crash dumps bury the cause above the tail."""
    found: list[str] = []
    try:
        with open(path, errors="replace") as handle:
            for line in handle:
                if _ERROR_LINE.search(line):
                    found.append(line.rstrip("\n"))
                    if len(found) == limit:
                        break
    except FileNotFoundError:
        pass
    return found


def tail(path: Path, lines: int = 20) -> str:
    try:
        with open(path, errors="replace") as handle:
            return "".join(deque(handle, maxlen=lines))
    except FileNotFoundError:
        return f"(no log at {path})\n"
