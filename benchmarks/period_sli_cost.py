"""What the SLO-window ratio (slo:sli_error:ratio_rate30d) costs Prometheus, before and after it counted events.

Before: sum_over_time / count_over_time of the recorded 5m ratio, in the SLI group at the global evaluation
interval. After: sum_over_time of the recorded 5m bad and valid event rates, in their own group every
2m30s (obsgen.artifacts.prometheus.period). Both read 30 days of recorded series; the benchmark backfills exactly those
(`promtool tsdb create-blocks-from openmetrics`), starts a real Prometheus 3 on them, and reports:

- samples read per evaluation (the query API's `stats=all`, samples.totalQueryableSamples),
- the rule group's evaluationTime from /api/v1/rules (median over a few evaluations),
- samples read per day (per evaluation x evaluations a day at each group's interval).

    python benchmarks/period_sli_cost.py --global-interval 1m --global-interval 15s
"""

from __future__ import annotations

import argparse
import json
import math
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from obsgen.artifacts.prometheus.period import BAD_EVENTS, PERIOD_INTERVAL, VALID_EVENTS  # noqa: E402
from obsgen.promql import parse_duration  # noqa: E402
from obsgen.tools import go_tool  # noqa: E402

WINDOW = "30d"
SELECTOR = '{journey="bench",slo="checkout"}'
RATIO_5M = "slo:sli_error:ratio_rate5m"
BEFORE = f"sum_over_time({RATIO_5M}{SELECTOR}[{WINDOW}])\n/\ncount_over_time({RATIO_5M}{SELECTOR}[{WINDOW}])"
AFTER = (f"sum_over_time({BAD_EVENTS}{SELECTOR}[{WINDOW}])\n/\n"
         f"(\n  sum_over_time({VALID_EVENTS}{SELECTOR}[{WINDOW}])\n  > 0\n)")
MEASURE_INTERVAL = "5s"  # how often the measured groups run here; evaluationTime does not depend on it


def traffic(t: int) -> tuple[float, float]:
    """Requests and errors per second at t: 10x by day."""
    requests = 100.0 if 8 <= t % 86400 // 3600 < 20 else 10.0
    return requests, requests * 0.001


def openmetrics(end: int, window: int, global_step: int) -> str:
    lines = [f"# TYPE {RATIO_5M} gauge"]
    lines += [f"{RATIO_5M}{SELECTOR} {traffic(t)[1] / traffic(t)[0]} {t}"
              for t in range(end - window - 3600, end + 1, global_step)]
    period_step = int(parse_duration(PERIOD_INTERVAL))
    for name, index in ((BAD_EVENTS, 1), (VALID_EVENTS, 0)):
        lines.append(f"# TYPE {name} gauge")
        lines += [f"{name}{SELECTOR} {traffic(t)[index]} {t}" for t in range(end - window - 3600, end + 1, period_step)]
    return "\n".join(lines) + "\n# EOF\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rule_file() -> str:
    groups = [{"name": name, "interval": MEASURE_INTERVAL,
               "rules": [{"record": f"slo:sli_error:ratio_rate{WINDOW}", "expr": expr, "labels": {"variant": name}}]}
              for name, expr in (("before", BEFORE), ("after", AFTER))]
    return yaml.safe_dump({"groups": groups}, sort_keys=False)


def api(port: int, path: str, **params: str) -> dict:
    url = f"http://127.0.0.1:{port}{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.load(response)


def wait_ready(server: subprocess.Popen, port: int, deadline: float, log: Path) -> None:
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"Prometheus exited: {log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("Prometheus did not become ready")


def query_stats(port: int, expr: str, at: int, runs: int = 15) -> tuple[int, float]:
    samples, times = 0, []
    for _ in range(runs):
        data = api(port, "/api/v1/query", query=expr, time=str(at), stats="all")["data"]
        samples = data["stats"]["samples"]["totalQueryableSamples"]
        times.append(data["stats"]["timings"]["evalTotalTime"])
    return samples, statistics.median(times)


def group_times(port: int, seconds: float) -> dict[str, float]:
    seen: dict[str, list[float]] = {"before": [], "after": []}
    end = time.time() + seconds
    while time.time() < end:
        for group in api(port, "/api/v1/rules")["data"]["groups"]:
            if group["evaluationTime"] > 0:
                seen[group["name"]].append(group["evaluationTime"])
        time.sleep(parse_duration(MEASURE_INTERVAL))
    return {name: statistics.median(values) for name, values in seen.items() if values}


def measure(global_interval: str, work: Path) -> dict:
    window, global_step = int(parse_duration(WINDOW)), int(parse_duration(global_interval))
    end = int(time.time()) // 60 * 60
    (work / "data.om").write_text(openmetrics(end, window, global_step))
    tsdb = work / "tsdb"
    # A few long blocks rather than 360 of two hours: the data is small, and so are load times.
    subprocess.run([go_tool("promtool"), "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=800h",
                    str(work / "data.om"), str(tsdb)], check=True, capture_output=True)
    (work / "rules.yaml").write_text(rule_file())
    (work / "prometheus.yml").write_text(f"global:\n  evaluation_interval: {global_interval}\n"
                                         f"rule_files: [rules.yaml]\n")
    port = free_port()
    server = subprocess.Popen([go_tool("prometheus"), f"--config.file={work / 'prometheus.yml'}",
                               f"--storage.tsdb.path={tsdb}", "--storage.tsdb.retention.time=400d",
                               f"--web.listen-address=127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=(work / "prometheus.log").open("w"))
    try:
        wait_ready(server, port, time.time() + 300, work / "prometheus.log")
        out = {"before": query_stats(port, BEFORE, end), "after": query_stats(port, AFTER, end)}
        out["group"] = group_times(port, 40)
        return out
    finally:
        server.terminate()
        server.wait(timeout=60)


def report(global_interval: str, result: dict) -> list[str]:
    per_day = {"before": 86400 / parse_duration(global_interval), "after": 86400 / parse_duration(PERIOD_INTERVAL)}
    rows = []
    for variant, interval in (("before", global_interval), ("after", PERIOD_INTERVAL)):
        samples, query_seconds = result[variant]
        group = result["group"].get(variant, math.nan)
        rows.append(f"| {variant} | {global_interval} | {interval} | {samples:,} | {query_seconds * 1000:.1f} ms | "
                    f"{group * 1000:.1f} ms | {samples * per_day[variant]:,.0f} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--global-interval", action="append", help="the global evaluation interval (default 1m)")
    intervals = parser.parse_args().global_interval or ["1m"]
    version = subprocess.run([go_tool("prometheus"), "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    print(f"{version}; one SLO, {WINDOW} window, median of 15 queries and of the group's evaluations\n")
    print("| rule | global interval | rule runs every | samples read per evaluation | query time | "
          "group evaluationTime | samples read per day |")
    print("|---|---|---|---:|---:|---:|---:|")
    for interval in intervals:
        with tempfile.TemporaryDirectory(prefix="period-sli-cost-") as work:
            for row in report(interval, measure(interval, Path(work))):
                print(row)


if __name__ == "__main__":
    main()
