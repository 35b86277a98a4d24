"""Bounded shop traffic against a local store: browse, checkout, look at the order.

Only loopback targets are accepted. Visits start at a fixed rate and run on a small pool; when
every worker is busy (a dependency is down and requests hang until their timeout) the visit is
dropped and counted, so a drill never piles up requests or load.
"""

from __future__ import annotations

import ipaddress
import itertools
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

PAYMENT_METHODS = ("card", "paypal", "gift_card")
# Products the load may buy: plenty in stock, so checkout never answers 409 because of the load itself.
MIN_STOCK = 1000
CUSTOMERS = 20


class NotLoopback(ValueError):
    pass


def require_loopback(url: str) -> str:
    host = urlsplit(url).hostname or ""
    if host != "localhost":
        try:
            if not ipaddress.ip_address(host).is_loopback:
                raise NotLoopback(f"traffic goes to loopback addresses only, not {host}")
        except ValueError:
            raise NotLoopback(f"traffic goes to loopback addresses only, not {host!r}") from None
    return url.rstrip("/")


@dataclass
class TrafficStats:
    responses: Counter = field(default_factory=Counter)  # "GET /products 200" -> count
    dropped: int = 0  # visits not started because every worker was busy

    def by_status(self) -> dict[str, int]:
        return dict(sorted(self.responses.items()))

    def total(self) -> int:
        return sum(self.responses.values())


class Traffic:
    """Visits per second for at most `duration` seconds (or until stop())."""

    def __init__(self, base_url: str, rate: float = 4.0, workers: int = 6, timeout: float = 10.0,
                 duration: float | None = None):
        self.base_url = require_loopback(base_url)
        self.rate = rate
        self.timeout = timeout
        self.duration = duration
        self.stats = TrafficStats()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="obsgen-traffic")
        self._slots = threading.BoundedSemaphore(workers)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._local = threading.local()
        self._products: list[int] = []
        self._visits = itertools.count()
        self._thread = threading.Thread(target=self._run, name="obsgen-traffic", daemon=True)

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> "Traffic":
        self._thread.start()
        return self

    def stop(self) -> TrafficStats:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self._pool.shutdown(wait=True)
        return self.stats

    def wait(self) -> TrafficStats:
        """Until the duration is over."""
        self._thread.join()
        return self.stop()

    def __enter__(self) -> "Traffic":
        return self.start()

    def __exit__(self, *_) -> None:
        self.stop()

    def _run(self) -> None:
        interval = 1.0 / self.rate
        started = time.monotonic()
        next_at = started
        while not self._stop.is_set():
            if self.duration is not None and time.monotonic() - started >= self.duration:
                return
            if self._slots.acquire(blocking=False):
                self._pool.submit(self._visit_and_release, next(self._visits))
            else:
                with self._lock:
                    self.stats.dropped += 1
            next_at += interval
            self._stop.wait(max(0.0, next_at - time.monotonic()))

    # -- one visit -------------------------------------------------------------------------
    def _visit_and_release(self, number: int) -> None:
        try:
            self._visit(number)
        finally:
            self._slots.release()

    def _session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    def _request(self, method: str, path: str, label: str, **kwargs) -> requests.Response | None:
        headers = {"X-Correlation-ID": f"obsgen-traffic-{uuid.uuid4().hex[:16]}"}
        try:
            response = self._session().request(method, f"{self.base_url}{path}", headers=headers,
                                               timeout=self.timeout, **kwargs)
            outcome = str(response.status_code)
        except requests.RequestException as error:
            response, outcome = None, type(error).__name__
        with self._lock:
            self.stats.responses[f"{method} {label} {outcome}"] += 1
        return response

    def _visit(self, number: int) -> None:
        listing = self._request("GET", "/products", "/products")
        if listing is not None and listing.status_code == 200 and not self._products:
            self._products = sorted(p["id"] for p in listing.json() if p.get("stock", 0) >= MIN_STOCK)
        if not self._products:
            return
        product = self._products[number % len(self._products)]
        self._request("GET", f"/products/{product}", "/products/{product_id}")
        order = self._request("POST", "/checkout", "/checkout", json={
            "product_id": product,
            "quantity": 1,
            "payment_method": PAYMENT_METHODS[number % len(PAYMENT_METHODS)],
            "customer_id": f"obsgen-load-{number % CUSTOMERS}",
        })
        if order is not None and order.status_code == 202 and number % 3 == 0:
            self._request("GET", f"/orders/{order.json()['order_id']}", "/orders/{order_id}")


def drive(base_url: str, seconds: float, rate: float = 4.0) -> TrafficStats:
    """Run traffic for a while, in the foreground."""
    return Traffic(base_url, rate=rate, duration=seconds).start().wait()
