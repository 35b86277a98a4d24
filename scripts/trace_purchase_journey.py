#!/usr/bin/env python3
"""Drive the KodeKloud Records Store purchase journey and say where to find it.

    python3 scripts/trace_purchase_journey.py              # one journey, traced
    python3 scripts/trace_purchase_journey.py load-test    # many journeys, with a summary

One journey: browse the catalogue, check out one album, poll the order until
the confirmation e-mail is sent, then print its correlation id, trace id and
where they show up (logs, Jaeger). It asks Jaeger's query API (`--jaeger-url`,
the stack's Jaeger) for the trace and says which services' spans it holds.

Load test: `--concurrency` workers run journeys (browse, product page,
checkout, order status) for `--duration` seconds at most, at `--rate`
journeys per second overall (0: as fast as the workers go). The default rate
stays within the reference worker's measured capacity (docs/stack.md
"Capacity"). Every accepted order is followed to its confirmation e-mail
(`GET /orders/<id>`), for `--drain` seconds after the load at most. A progress
line (with the backlog: orders accepted but not yet confirmed, and RabbitMQ's
queue depth) goes to stderr; the summary (throughput, p50/p95/p99 per stage,
errors by stage, orders confirmed of accepted, completion latency, backlog,
and "over capacity" when the backlog kept growing) to stdout. It always stops
by itself.

Only loopback targets are accepted unless --allow-remote is given. Standard
library only, so it runs with any python3.
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import os
import random
import socket
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_URL = "http://127.0.0.1:8000"
DEFAULT_JAEGER_URL = "http://localhost:16686"
# Spans reach Jaeger in batches (the SDK's BatchSpanProcessor flushes every 5 s), each process its own.
TRACE_WAIT_SECONDS = 20.0
# The journey's trace is complete once it holds the API's checkout and the worker's e-mail task.
JOURNEY_END_OPERATIONS = {"checkout_order", "run/send_confirmation_email"}
CHECKOUT_P95_BUDGET_SECONDS = 0.5  # the seed's SLO: checkout < 500 ms at p95
# Within the reference worker's capacity: ~1.5 orders/s with 8 threads and the store's default task
# durations (docs/stack.md "Capacity"); 10/s built a 3,000-message queue that took 32 min to drain.
DEFAULT_RATE = 1.0
DEFAULT_RABBITMQ_METRICS_URL = "http://127.0.0.1:15692"
TRACK_INTERVAL_SECONDS = 2.0
TRACK_BATCH = 50  # orders polled per round, oldest first (they confirm roughly in order)
MAX_DURATION_SECONDS = 3600
MAX_CONCURRENCY = 256
CONFIRMED_STATUSES = ("confirmed", "completed")
PAYMENT_METHODS = ("card", "card", "card", "paypal", "gift_card")
STAGES = ("browse", "product", "checkout", "order_status")


class JourneyError(Exception):
    def __init__(self, stage: str, reason: str):
        super().__init__(f"{stage}: {reason}")
        self.stage = stage
        self.reason = reason


# --- HTTP ----------------------------------------------------------------------
@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: object
    seconds: float


class HttpClient:
    """One keep-alive connection (one per thread), reopened when the server drops it."""

    def __init__(self, base_url: str, timeout: float):
        parts = urlsplit(base_url)
        self.https = parts.scheme == "https"
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if self.https else 80)
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self.connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        return cls(self.host, self.port, timeout=self.timeout)

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None) -> Reply:
        payload = json.dumps(body).encode() if body is not None else None
        sent_headers = {"Accept": "application/json", **(headers or {})}
        if payload is not None:
            sent_headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            reused = self.connection is not None
            if self.connection is None:
                self.connection = self._connect()
            started = time.perf_counter()
            try:
                self.connection.request(method, self.prefix + path, body=payload, headers=sent_headers)
                response = self.connection.getresponse()
                raw = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if reused and attempt == 1:
                    continue  # the server closed an idle keep-alive connection: retry once on a fresh one
                raise
            except (OSError, http.client.HTTPException):
                self.close()
                raise
            seconds = time.perf_counter() - started
            if response.getheader("connection", "").lower() == "close":
                self.close()
            try:
                decoded = json.loads(raw) if raw else None
            except ValueError:
                decoded = raw.decode("utf-8", "replace")
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, decoded, seconds)
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def ensure_loopback(url: str) -> None:
    """Refuse targets that are not this machine (load must never leave it by accident)."""
    host = urlsplit(url).hostname
    if not host:
        raise SystemExit(f"not a URL: {url}")
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror as exc:
        raise SystemExit(f"cannot resolve {host}: {exc}") from exc
    remote = sorted(a for a in addresses if not ipaddress.ip_address(a.split("%")[0]).is_loopback)
    if remote:
        raise SystemExit(f"{url} resolves to non-loopback {', '.join(remote)}; pass --allow-remote to target it")


# --- One journey ------------------------------------------------------------------
def expect(reply: Reply, stage: str, *ok_statuses: int) -> dict | list:
    if reply.status not in ok_statuses:
        detail = reply.body.get("detail") if isinstance(reply.body, dict) else reply.body
        raise JourneyError(stage, f"HTTP {reply.status}: {detail}")
    return reply.body


def choose_product(products: list, quantity: int, rng: random.Random) -> dict:
    in_stock = [p for p in products if p.get("stock", 0) >= quantity]
    if not in_stock:
        raise JourneyError("browse", "no product has enough stock")
    return rng.choice(in_stock)


def run_single_journey(args: argparse.Namespace) -> int:
    client = HttpClient(args.url, args.timeout)
    rng = random.Random()
    correlation_id = args.correlation_id or str(uuid.uuid4())
    headers = {"X-Correlation-ID": correlation_id}
    journey_started = time.perf_counter()
    try:
        browse = client.request("GET", "/products", headers=headers)
        products = expect(browse, "browse", 200)
        print(f"browse      {browse.status}  {browse.seconds * 1000:7.1f} ms  {len(products)} albums")
        if args.product_id:
            product = next((p for p in products if p["id"] == args.product_id), None)
            if product is None:
                raise JourneyError("browse", f"product {args.product_id} is not in the catalogue")
        else:
            product = choose_product(products, args.quantity, rng)
        body = {"product_id": product["id"], "quantity": args.quantity, "payment_method": args.payment_method}
        checkout = client.request("POST", "/checkout", body=body, headers=headers)
        accepted = expect(checkout, "checkout", 200, 201, 202)
        print(f"checkout    {checkout.status}  {checkout.seconds * 1000:7.1f} ms  "
              f"order #{accepted['order_id']}: {args.quantity} x {product['title']!r} ({product['genre']})")
        order_id = accepted["order_id"]
        trace_id = accepted.get("trace_id") or checkout.headers.get("x-trace-id")
        correlation_id = checkout.headers.get("x-correlation-id", correlation_id)
        status = poll_order(client, order_id, headers, args.wait)
    except JourneyError as exc:
        print(f"journey failed at {exc.stage}: {exc.reason}", file=sys.stderr)
        print(f"correlation id: {correlation_id}", file=sys.stderr)
        return 1
    except (OSError, http.client.HTTPException) as exc:
        print(f"cannot reach {args.url}: {exc!r} (is the stack up? `obsgen stack up`)", file=sys.stderr)
        return 1
    finally:
        client.close()
    elapsed = time.perf_counter() - journey_started
    confirmed = status in CONFIRMED_STATUSES
    print()
    print(f"Order #{order_id}: {status} after {elapsed:.1f} s" + ("" if confirmed else " (gave up waiting)"))
    print(f"Correlation ID: {correlation_id}")
    print(f"Trace ID:       {trace_id}")
    if trace_id:
        print(describe_trace_in_jaeger(args.jaeger_url, trace_id, args.timeout))
    print_where_to_look(correlation_id, trace_id, args.jaeger_url)
    return 0 if confirmed else 1


def describe_trace_in_jaeger(jaeger_url: str, trace_id: str, timeout: float) -> str:
    """One line: how many spans of which services Jaeger's query API holds for the trace."""
    client = HttpClient(jaeger_url, timeout)
    deadline = time.monotonic() + TRACE_WAIT_SECONDS
    try:
        while True:
            try:
                reply = client.request("GET", f"/api/traces/{trace_id}")
            except (OSError, http.client.HTTPException) as exc:
                return f"Jaeger:         not reachable at {jaeger_url} ({exc!r}); is its `jaeger` service up?"
            found = reply.body["data"][0] if reply.status == 200 and isinstance(reply.body, dict) \
                and reply.body.get("data") else None
            complete = found is not None and JOURNEY_END_OPERATIONS <= {s["operationName"] for s in found["spans"]}
            if complete or time.monotonic() >= deadline:
                break
            time.sleep(1.0)
    finally:
        client.close()
    if found is None:
        return f"Jaeger:         trace not found at {jaeger_url} after {TRACE_WAIT_SECONDS:.0f} s (HTTP {reply.status})"
    services = sorted({found["processes"][span["processID"]]["serviceName"] for span in found["spans"]})
    missing = "" if complete else \
        f" (after {TRACE_WAIT_SECONDS:.0f} s, still without {', '.join(sorted(JOURNEY_END_OPERATIONS))})"
    return f"Jaeger:         {len(found['spans'])} spans from {', '.join(services)}{missing}"


def poll_order(client: HttpClient, order_id: int, headers: dict, wait_seconds: float) -> str:
    deadline = time.monotonic() + wait_seconds
    last_status = None
    while True:
        reply = client.request("GET", f"/orders/{order_id}", headers=headers)
        status = expect(reply, "order_status", 200)["status"]
        if status != last_status:
            print(f"order       {reply.status}  {reply.seconds * 1000:7.1f} ms  status={status}")
            last_status = status
        if status in CONFIRMED_STATUSES or time.monotonic() >= deadline:
            return status
        time.sleep(0.5)


def print_where_to_look(correlation_id: str, trace_id: str | None, jaeger_url: str) -> None:
    state_dir = Path(os.environ.get("OBSGEN_STACK_DIR") or Path.cwd() / ".stack")  # as `obsgen stack` does
    try:
        state_dir = state_dir.relative_to(Path.cwd())
    except ValueError:
        pass
    print()
    print("Where to find it:")
    print(f"  logs, native stack:  grep {correlation_id} {state_dir}/logs/api.log {state_dir}/logs/worker.log")
    print("  logs, compose:       docker compose -f stack/docker-compose.yml logs | grep " + correlation_id)
    if trace_id:
        jaeger = jaeger_url.rstrip("/")
        print(f"  Jaeger query API:    {jaeger}/api/traces/{trace_id}")
        print(f"  Jaeger UI (compose): {jaeger}/trace/{trace_id}")
        # A native stack that cannot run Jaeger (no Go toolchain) writes span files instead.
        if any((state_dir / "traces").glob("*.jsonl")):
            print(f"  span files:          grep {trace_id} {state_dir}/traces/*.jsonl")


# --- Load test ----------------------------------------------------------------------
@dataclass
class StageStats:
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)


class Recorder:
    """Thread-safe tallies of stage latencies and errors."""

    def __init__(self):
        self.lock = threading.Lock()
        self.stages = {stage: StageStats() for stage in STAGES}
        self.journeys_ok = 0
        self.journeys_failed = 0
        self.accepted: list[int] = []  # order ids, in acceptance order

    def latency(self, stage: str, seconds: float) -> None:
        with self.lock:
            self.stages[stage].latencies.append(seconds)

    def error(self, stage: str, reason: str) -> None:
        with self.lock:
            self.stages[stage].errors[reason] += 1

    def order(self, order_id: int) -> None:
        with self.lock:
            self.accepted.append(order_id)

    def journey(self, ok: bool) -> None:
        with self.lock:
            if ok:
                self.journeys_ok += 1
            else:
                self.journeys_failed += 1


class Pacer:
    """Hands out start times at `rate` per second overall, until the deadline."""

    def __init__(self, rate: float, started: float, deadline: float):
        self.rate = rate
        self.started = started
        self.deadline = deadline
        self.issued = 0
        self.lock = threading.Lock()

    def next_start(self) -> float | None:
        with self.lock:
            start = self.started + self.issued / self.rate if self.rate > 0 else time.monotonic()
            if start >= self.deadline:
                return None
            self.issued += 1
            return start


def load_journey(client: HttpClient, recorder: Recorder, rng: random.Random, customers: int) -> None:
    correlation_id = f"load-{uuid.uuid4()}"
    headers = {"X-Correlation-ID": correlation_id}
    stage = "browse"
    try:
        reply = client.request("GET", "/products", headers=headers)
        recorder.latency(stage, reply.seconds)
        product = choose_product(expect(reply, stage, 200), 1, rng)

        stage = "product"
        reply = client.request("GET", f"/products/{product['id']}", headers=headers)
        recorder.latency(stage, reply.seconds)
        expect(reply, stage, 200)

        stage = "checkout"
        body = {
            "product_id": product["id"],
            "quantity": 1,
            "payment_method": rng.choice(PAYMENT_METHODS),
            "customer_id": f"customer-{rng.randrange(customers):04d}",
        }
        reply = client.request("POST", "/checkout", body=body, headers=headers)
        recorder.latency(stage, reply.seconds)
        order_id = expect(reply, stage, 200, 201, 202)["order_id"]
        recorder.order(order_id)

        stage = "order_status"
        reply = client.request("GET", f"/orders/{order_id}", headers=headers)
        recorder.latency(stage, reply.seconds)
        expect(reply, stage, 200)
    except JourneyError as exc:
        recorder.error(exc.stage, exc.reason.split(":")[0])
        recorder.journey(False)
        return
    except (OSError, http.client.HTTPException) as exc:
        recorder.error(stage, type(exc).__name__)
        recorder.journey(False)
        return
    recorder.journey(True)


def load_worker(args: argparse.Namespace, pacer: Pacer, recorder: Recorder, seed: int) -> None:
    client = HttpClient(args.url, args.timeout)
    rng = random.Random(seed)
    try:
        while True:
            start = pacer.next_start()
            if start is None:
                return
            delay = start - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            load_journey(client, recorder, rng, args.customers)
    finally:
        client.close()


# --- End-to-end completion: orders followed to their confirmation e-mail ----------------
class OrderTracker:
    """Polls accepted orders until confirmed; samples the backlog and RabbitMQ's queue depth."""

    def __init__(self, args: argparse.Namespace, recorder: Recorder, started: float):
        self.client = HttpClient(args.url, args.timeout)
        self.queue_url = args.rabbitmq_metrics_url
        self.recorder = recorder
        self.started = started
        self.seen = 0  # how many of recorder.accepted are known
        self.open: list[int] = []
        self.latencies: list[float] = []  # seconds from checkout to confirmation, by the store's clock
        self.samples: list[tuple[float, int, int | None]] = []  # (elapsed, backlog, queue depth)

    def poll_round(self) -> None:
        with self.recorder.lock:
            self.open += self.recorder.accepted[self.seen:]
            self.seen = len(self.recorder.accepted)
        for order_id in self.open[:TRACK_BATCH]:
            try:
                reply = self.client.request("GET", f"/orders/{order_id}")
            except (OSError, http.client.HTTPException):
                break
            order = reply.body if reply.status == 200 and isinstance(reply.body, dict) else None
            if order and order.get("status") in CONFIRMED_STATUSES and order.get("confirmed_at"):
                self.open.remove(order_id)
                self.latencies.append(seconds_between(order["created_at"], order["confirmed_at"]))
        self.samples.append((time.monotonic() - self.started, len(self.open), queue_depth(self.queue_url)))

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(TRACK_INTERVAL_SECONDS):
            self.poll_round()

    def drain(self, seconds: float) -> None:
        """After the load: keep following the open orders until none is left or `seconds` passed."""
        deadline = time.monotonic() + seconds
        self.poll_round()
        while self.open and time.monotonic() < deadline:
            time.sleep(TRACK_INTERVAL_SECONDS)
            self.poll_round()
        self.client.close()


def seconds_between(start: str, end: str) -> float:
    from datetime import datetime
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def queue_depth(metrics_url: str | None) -> int | None:
    """Messages in RabbitMQ's `orders` queue (ready + unacked), from its Prometheus plugin; None if unknown."""
    if not metrics_url:
        return None
    client = HttpClient(metrics_url, 5.0)
    try:
        reply = client.request("GET", "/metrics/detailed?family=queue_coarse_metrics",
                               headers={"Accept": "text/plain"})
    except (OSError, http.client.HTTPException):
        return None
    finally:
        client.close()
    if reply.status != 200 or not isinstance(reply.body, str):
        return None
    for line in reply.body.splitlines():
        if line.startswith("rabbitmq_detailed_queue_messages{") and 'queue="orders"' in line:
            return int(float(line.rsplit(" ", 1)[1]))
    return None


def over_capacity(samples: list[tuple[float, int, int | None]], duration: float, submitted: int) -> bool:
    """The backlog grew over the load's second half by more than noise: the worker falls behind."""
    during = [backlog for elapsed, backlog, _ in samples if elapsed <= duration]
    if len(during) < 4:
        return False
    middle, end = during[len(during) // 2], during[-1]
    return end - middle > max(5, 0.1 * submitted / 2)


def completion_summary(tracker: OrderTracker, duration: float) -> dict:
    submitted = tracker.seen
    latencies = sorted(tracker.latencies)
    depths = [depth for _, _, depth in tracker.samples if depth is not None]
    backlog_at_end = next((backlog for elapsed, backlog, _ in reversed(tracker.samples) if elapsed <= duration),
                          None)
    return {
        "orders_accepted": submitted,
        "orders_confirmed": len(latencies),
        "completion_ratio": round(len(latencies) / submitted, 4) if submitted else None,
        "completion_p50_s": round(percentile(latencies, 0.50), 2) if latencies else None,
        "completion_p95_s": round(percentile(latencies, 0.95), 2) if latencies else None,
        "completion_max_s": round(latencies[-1], 2) if latencies else None,
        "backlog_at_end_of_load": backlog_at_end,
        "backlog_max": max((backlog for _, backlog, _ in tracker.samples), default=None),
        "queue_depth_max": max(depths, default=None),
        "queue_depth_last": depths[-1] if depths else None,
        "over_capacity": over_capacity(tracker.samples, duration, submitted),
    }



def progress_reporter(recorder: Recorder, tracker: OrderTracker, started: float, duration: float,
                      stop: threading.Event) -> None:
    """A bar redrawn in place on a terminal; plain lines every few seconds otherwise. Ends with a final line."""
    interactive = sys.stderr.isatty()
    interval = 0.5 if interactive else 5.0
    width = 30
    while True:
        stopped = stop.wait(interval)
        elapsed = min(time.monotonic() - started, duration)
        with recorder.lock:
            ok, failed = recorder.journeys_ok, recorder.journeys_failed
        filled = int(width * elapsed / duration) if duration else width
        _, backlog, depth = tracker.samples[-1] if tracker.samples else (0, 0, None)
        line = (f"[{'#' * filled}{'.' * (width - filled)}] {elapsed:5.1f}/{duration:.0f}s  "
                f"journeys ok={ok} failed={failed}  {(ok + failed) / max(elapsed, 1e-9):6.1f}/s  "
                f"backlog={backlog} queue={'?' if depth is None else depth}")
        if interactive:
            print("\r" + line, end="\n" if stopped else "", file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)
        if stopped:
            return


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, int(-(-fraction * len(sorted_values) // 1)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarise(recorder: Recorder, elapsed: float, args: argparse.Namespace, tracker: OrderTracker) -> dict:
    stages = {}
    for stage in STAGES:
        stats = recorder.stages[stage]
        values = sorted(stats.latencies)
        stages[stage] = {
            "requests": len(values) + sum(
                count for reason, count in stats.errors.items() if not reason.startswith("HTTP")),
            "errors": dict(sorted(stats.errors.items())),
            "rps": round(len(values) / elapsed, 2) if elapsed else 0.0,
            "p50_ms": round(percentile(values, 0.50) * 1000, 1) if values else None,
            "p95_ms": round(percentile(values, 0.95) * 1000, 1) if values else None,
            "p99_ms": round(percentile(values, 0.99) * 1000, 1) if values else None,
            "max_ms": round(values[-1] * 1000, 1) if values else None,
        }
    journeys = recorder.journeys_ok + recorder.journeys_failed
    checkout_p95 = stages["checkout"]["p95_ms"]
    return {
        "target": args.url,
        "concurrency": args.concurrency,
        "rate_limit_per_s": args.rate,
        "duration_s": round(elapsed, 1),
        "journeys": journeys,
        "journeys_ok": recorder.journeys_ok,
        "journeys_failed": recorder.journeys_failed,
        "journeys_per_s": round(journeys / elapsed, 2) if elapsed else 0.0,
        "stages": stages,
        "checkout_p95_within_budget": None if checkout_p95 is None
        else checkout_p95 <= CHECKOUT_P95_BUDGET_SECONDS * 1000,
        "completion": completion_summary(tracker, args.duration),
    }


def print_summary(summary: dict) -> None:
    print(f"Load test against {summary['target']}: concurrency {summary['concurrency']}, "
          f"rate limit {summary['rate_limit_per_s'] or 'none'}/s, {summary['duration_s']} s")
    print(f"Journeys: {summary['journeys']} ({summary['journeys_ok']} ok, {summary['journeys_failed']} failed), "
          f"{summary['journeys_per_s']} journeys/s")
    print()
    print(f"{'stage':<14}{'requests':>9}{'rps':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}  errors")
    for stage, row in summary["stages"].items():
        cells = [row[key] if row[key] is not None else "-" for key in ("p50_ms", "p95_ms", "p99_ms", "max_ms")]
        errors = ", ".join(f"{reason} x{count}" for reason, count in row["errors"].items()) or "none"
        print(f"{stage:<14}{row['requests']:>9}{row['rps']:>9}" + "".join(f"{c:>9}" for c in cells) + f"  {errors}")
    verdict = summary["checkout_p95_within_budget"]
    if verdict is not None:
        print()
        print(f"Checkout p95 {summary['stages']['checkout']['p95_ms']} ms vs budget "
              f"{CHECKOUT_P95_BUDGET_SECONDS * 1000:.0f} ms: {'within' if verdict else 'OVER'} budget")
    print_completion(summary["completion"])


def print_completion(completion: dict) -> None:
    """End to end: what the HTTP latencies do not show (a worker falling behind)."""
    print()
    ratio = completion["completion_ratio"]
    print(f"Orders confirmed: {completion['orders_confirmed']} of {completion['orders_accepted']} accepted"
          + ("" if ratio is None else f" ({ratio:.1%})")
          + (f"; checkout to confirmation p50 {completion['completion_p50_s']} s, "
             f"p95 {completion['completion_p95_s']} s, max {completion['completion_max_s']} s"
             if completion["orders_confirmed"] else ""))
    depth = completion["queue_depth_max"]
    print(f"Backlog (accepted, not yet confirmed): {completion['backlog_at_end_of_load']} at the end of the load, "
          f"{completion['backlog_max']} at most; RabbitMQ queue depth: "
          + ("unknown" if depth is None else f"{depth} at most, {completion['queue_depth_last']} last"))
    if completion["over_capacity"]:
        print("OVER CAPACITY: the backlog kept growing; the worker cannot keep up with this rate "
              "(lower --rate, or raise `obsgen stack up --worker-concurrency`)")
    elif ratio is not None and ratio < 1:
        print("Not every order was confirmed within --drain: the worker is behind or failing")
    else:
        print("Within capacity: the worker kept up")


def run_load_test(args: argparse.Namespace) -> int:
    if not 0 < args.duration <= MAX_DURATION_SECONDS:
        raise SystemExit(f"--duration must be in (0, {MAX_DURATION_SECONDS}]")
    if not 1 <= args.concurrency <= MAX_CONCURRENCY:
        raise SystemExit(f"--concurrency must be in [1, {MAX_CONCURRENCY}]")
    if args.rate < 0:
        raise SystemExit("--rate must be >= 0")
    if not 0 <= args.drain <= MAX_DURATION_SECONDS:
        raise SystemExit(f"--drain must be in [0, {MAX_DURATION_SECONDS}]")
    recorder = Recorder()
    started = time.monotonic()
    pacer = Pacer(args.rate, started, started + args.duration)
    stop = threading.Event()
    tracker = OrderTracker(args, recorder, started)
    follower = threading.Thread(target=tracker.run, args=(stop,), daemon=True)
    follower.start()
    reporter = threading.Thread(target=progress_reporter, args=(recorder, tracker, started, args.duration, stop),
                                daemon=True)
    reporter.start()
    seeds = random.Random(args.seed)
    workers = [
        threading.Thread(target=load_worker, args=(args, pacer, recorder, seeds.randrange(2**32)), daemon=True)
        for _ in range(args.concurrency)
    ]
    for worker in workers:
        worker.start()
    # A journey in flight at the deadline may finish, but never past its request timeouts.
    hard_stop = started + args.duration + 4 * args.timeout + 5
    for worker in workers:
        worker.join(timeout=max(0.0, hard_stop - time.monotonic()))
    stop.set()
    reporter.join(timeout=2)
    follower.join(timeout=args.timeout * TRACK_BATCH)
    elapsed = time.monotonic() - started
    tracker.drain(args.drain)
    with recorder.lock:
        summary = summarise(recorder, elapsed, args, tracker)
    if args.json:
        print(json.dumps(summary, indent=2, sort_keys=True))
    else:
        print_summary(summary)
    return 0 if summary["journeys_ok"] > 0 else 1


# --- CLI ------------------------------------------------------------------------------
def common_options(with_defaults: bool) -> argparse.ArgumentParser:
    """Options accepted before and after `load-test`.

    The subcommand's copy has no defaults: argparse would otherwise reset a
    value given before the subcommand.
    """
    def default(value):
        return value if with_defaults else argparse.SUPPRESS

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url", default=default(os.environ.get("RECORDSTORE_URL", DEFAULT_URL)),
                        help=f"gateway or API base URL (default {DEFAULT_URL}, env RECORDSTORE_URL)")
    common.add_argument("--timeout", type=float, default=default(10.0),
                        help="per-request timeout in seconds (default 10)")
    common.add_argument("--allow-remote", action="store_true", default=default(False),
                        help="allow a target that is not on this machine")
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], parents=[common_options(True)])
    parser.add_argument("--product-id", type=int, help="album to buy (default: a random one in stock)")
    parser.add_argument("--quantity", type=int, default=1)
    parser.add_argument("--payment-method", choices=["card", "paypal", "gift_card"], default="card")
    parser.add_argument("--correlation-id", help="use this X-Correlation-ID instead of a fresh uuid")
    parser.add_argument("--wait", type=float, default=60.0,
                        help="seconds to wait for the confirmation e-mail (default 60)")
    parser.add_argument("--jaeger-url", default=os.environ.get("JAEGER_URL", DEFAULT_JAEGER_URL),
                        help=f"Jaeger query base URL (default {DEFAULT_JAEGER_URL}, env JAEGER_URL)")
    modes = parser.add_subparsers(dest="mode")
    load = modes.add_parser("load-test", parents=[common_options(False)],
                            help="many concurrent journeys, then a summary")
    load.add_argument("--concurrency", type=int, default=4, help="parallel virtual users (default 4)")
    load.add_argument("--duration", type=float, default=60.0, help="seconds to run (default 60)")
    load.add_argument("--rate", type=float, default=DEFAULT_RATE,
                      help=f"journeys per second overall; 0 = as fast as possible (default {DEFAULT_RATE:g}, "
                           "within the reference worker's capacity of ~1.5 orders/s)")
    load.add_argument("--drain", type=float, default=60.0,
                      help="seconds to keep following unconfirmed orders after the load (default 60)")
    load.add_argument("--rabbitmq-metrics-url", default=os.environ.get("RABBITMQ_METRICS_URL",
                                                                       DEFAULT_RABBITMQ_METRICS_URL),
                      help=f"RabbitMQ's Prometheus endpoint, for the queue depth (default "
                           f"{DEFAULT_RABBITMQ_METRICS_URL}, env RABBITMQ_METRICS_URL; empty: none)")
    load.add_argument("--customers", type=int, default=50, help="distinct customer ids to spread orders over")
    load.add_argument("--seed", type=int, default=None, help="random seed for product and customer choices")
    load.add_argument("--json", action="store_true", help="print the summary as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not args.allow_remote:
        ensure_loopback(args.url)
        if args.mode == "load-test" and args.rabbitmq_metrics_url:
            ensure_loopback(args.rabbitmq_metrics_url)
        if args.mode != "load-test":
            ensure_loopback(args.jaeger_url)
    if args.mode == "load-test":
        return run_load_test(args)
    return run_single_journey(args)


if __name__ == "__main__":
    sys.exit(main())
