"""Traces on the live native stack, read through Jaeger's HTTP query API: the API Grafana's Jaeger
data source calls (GET /api/traces/<trace id>, GET /api/traces?service=...).

One purchase journey is driven by scripts/trace_purchase_journey.py through the gateway (nginx). The
trace id it prints must be a trace Jaeger holds, with the API's spans and the worker's down to the
confirmation e-mail, carrying the request's correlation id. Then the generated dashboard's Jaeger
queries (the trace panel and the searches) and the exemplar links of its latency panels are run the
way Grafana runs them, against the datasources the generated provisioning declares, and must land on
traces Jaeger holds.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest
import requests
import yaml

from lab.stack.ports import CONTRACT_PORTS
from obsgen.artifacts.grafana.provisioning import EXEMPLAR_TRACE_LABEL
from obsgen.artifacts.layout import DATASOURCES_FILE, dashboard_path
from obsgen.model import Journey
from obsgen.verify.artifacts import build
from obsgen.verify.panels import panels
from tests.conftest import PURCHASE_SPEC
from tests.live.conftest import LOAD_SCRIPT, LiveStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Service names of the store's processes (stack/store/recordstore/config.py).
API_SERVICE = "kodekloud-record-store-api"
WORKER_SERVICE = "kodekloud-record-store-worker"
# What one purchase leaves in its trace: the API's request and checkout, then each Celery task the
# order goes through, re-entered from the checkout's trace context by the worker.
JOURNEY_OPERATIONS = {"POST /checkout", "checkout_order", "run/process_order", "run/send_confirmation_email"}
# Spans reach Jaeger in batches (the SDK flushes every 5 s); the e-mail comes after processing.
TRACE_WAIT_SECONDS = 45
# The live tests before this one (load, drills) can leave the worker a queue of orders and e-mails.
# The journey starts once it has drained: behind a queue its confirmation would take minutes, and
# every status poll meanwhile (two a second) is a trace of the same correlation ID, which would push
# the checkout's trace out of the dashboard's correlation search (the newest 20).
QUEUE_DRAIN_SECONDS = 300
QUEUED = "sum(rabbitmq_queue_messages_ready) + sum(rabbitmq_queue_messages_unacked)"
CONFIRMATION_WAIT_SECONDS = 60
SEARCH_WINDOW_SECONDS = 900


@dataclass(frozen=True)
class Journeyed:
    correlation_id: str
    trace_id: str
    output: str
    started: float  # Unix time just before the journey's first request


def jaeger_get(stack: LiveStack, path: str, params: dict | None = None) -> requests.Response:
    return requests.get(f"{stack.stack.endpoint('jaeger')}{path}", params=params, timeout=10)


def trace_in_jaeger(stack: LiveStack, trace_id: str) -> dict | None:
    response = jaeger_get(stack, f"/api/traces/{trace_id}")
    if response.status_code != 200:
        return None
    data = response.json()["data"]
    return data[0] if data else None


def spans_by_service(trace: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for span in trace["spans"]:
        found.setdefault(trace["processes"][span["processID"]]["serviceName"], []).append(span)
    return found


def tags(span: dict) -> dict:
    return {tag["key"]: tag["value"] for tag in span["tags"]}


def wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(1.0)


def queue_drained(stack: LiveStack) -> bool:
    response = requests.get(f"{stack.prometheus}/api/v1/query", params={"query": QUEUED}, timeout=10)
    result = response.json()["data"]["result"] if response.status_code == 200 else []
    return bool(result) and float(result[0]["value"][1]) == 0


@pytest.fixture(scope="module")
def journey(live_stack: LiveStack) -> Journeyed:
    wait_for(lambda: queue_drained(live_stack), QUEUE_DRAIN_SECONDS, "the worker's queues to drain")
    started = time.time()
    result = subprocess.run([sys.executable, str(LOAD_SCRIPT), "--url", live_stack.gateway,
                             "--jaeger-url", live_stack.stack.endpoint("jaeger"), "--wait", str(CONFIRMATION_WAIT_SECONDS)],
                            capture_output=True, text=True, timeout=CONFIRMATION_WAIT_SECONDS + 60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    printed = dict(line.split(":", 1) for line in result.stdout.splitlines()
                   if line.startswith(("Correlation ID:", "Trace ID:")))
    return Journeyed(printed["Correlation ID"].strip(), printed["Trace ID"].strip(), result.stdout, started)


@pytest.fixture(scope="module")
def journey_trace(live_stack: LiveStack, journey: Journeyed) -> dict:
    """The journey's trace once Jaeger holds every span the purchase leaves."""
    def complete():
        trace = trace_in_jaeger(live_stack, journey.trace_id)
        return trace if trace and JOURNEY_OPERATIONS <= {s["operationName"] for s in trace["spans"]} else None
    return wait_for(complete, TRACE_WAIT_SECONDS, f"trace {journey.trace_id} with {sorted(JOURNEY_OPERATIONS)}")


# -- the journey's trace ------------------------------------------------------------------
def test_the_script_prints_a_trace_id_jaegers_query_api_returns(live_stack, journey, journey_trace):
    assert re.fullmatch(r"[0-9a-f]{32}", journey.trace_id)
    assert journey_trace["traceID"] == journey.trace_id
    assert {span["traceID"] for span in journey_trace["spans"]} == {journey.trace_id}
    # The script asked Jaeger itself and said what it found.
    assert re.search(rf"^Jaeger: +\d+ spans from .*{API_SERVICE}", journey.output, re.MULTILINE), journey.output
    assert f"{live_stack.stack.endpoint('jaeger')}/api/traces/{journey.trace_id}" in journey.output


def test_the_trace_runs_from_the_api_through_the_worker_to_the_email(journey_trace):
    services = spans_by_service(journey_trace)
    assert {API_SERVICE, WORKER_SERVICE} <= set(services)
    api_operations = {span["operationName"] for span in services[API_SERVICE]}
    worker_operations = {span["operationName"] for span in services[WORKER_SERVICE]}
    assert {"POST /checkout", "checkout_order"} <= api_operations
    assert {"run/process_order", "run/send_confirmation_email"} <= worker_operations
    # The request that came in through the gateway is the trace's root: everything else descends from it.
    roots = [span for span in journey_trace["spans"] if not span["references"]]
    assert [(span["operationName"], journey_trace["processes"][span["processID"]]["serviceName"])
            for span in roots] == [("POST /checkout", API_SERVICE)]


def test_the_spans_carry_the_correlation_id(journey, journey_trace):
    tagged = {span["operationName"] for span in journey_trace["spans"]
              if tags(span).get("correlation_id") == journey.correlation_id}
    assert JOURNEY_OPERATIONS <= tagged
    assert {tags(span).get("correlation_id") for span in journey_trace["spans"]} <= {journey.correlation_id, None}


# -- the dashboard and provisioning point at it ---------------------------------------------
def generated(stack: LiveStack) -> tuple[Journey, dict, dict]:
    """The purchase journey, its dashboard and its datasources, as the build wrote them for Grafana."""
    journey = build(PURCHASE_SPEC, stack.generated_dir).journey
    journey_dir = stack.generated_dir / journey.name
    dashboard = json.loads((journey_dir / dashboard_path(journey.name)).read_text())
    datasources = yaml.safe_load((journey_dir / DATASOURCES_FILE).read_text())["datasources"]
    return journey, dashboard, {source["uid"]: source for source in datasources}


def variable_values(dashboard: dict, **chosen: str) -> dict[str, str]:
    """Each template variable's value: its default (a datasource variable's default uid), or as chosen."""
    values = {v["name"]: v["current"]["value"] for v in dashboard["templating"]["list"]
              if isinstance(v["current"].get("value"), str)}
    return values | chosen


def interpolate(text: str, values: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: values.get(m.group(1) or m.group(2), m.group(0)), text)


def jaeger_datasource(reference: dict, values: dict[str, str], datasources: dict) -> dict:
    source = datasources[interpolate(reference["uid"], values)]
    assert source["type"] == "jaeger" == reference["type"]
    # Provisioning names compose's Jaeger; its port must be the query API's, which the native stack runs too.
    assert source["url"].endswith(f":{CONTRACT_PORTS.jaeger_query}"), source["url"]
    return source


def grafana_jaeger_request(target: dict, values: dict[str, str], start: float, end: float) -> tuple[str, dict]:
    """The path and parameters Grafana's Jaeger data source sends for one query target."""
    if target.get("queryType") != "search":
        return f"/api/traces/{interpolate(target['query'], values)}", {}
    params = {"service": interpolate(target["service"], values), "limit": target.get("limit", 20),
              "start": int(start * 1e6), "end": int(end * 1e6), "lookback": "custom"}
    if target.get("tags"):
        # Grafana takes tags as logfmt and sends them as a JSON object.
        pairs = (item.split("=", 1) for item in interpolate(target["tags"], values).split())
        params["tags"] = json.dumps(dict(pairs))
    if target.get("minDuration"):
        params["minDuration"] = target["minDuration"]
    return "/api/traces", params


def jaeger_targets(dashboard: dict) -> list[tuple[str, dict]]:
    return [(panel["title"], target) for panel in panels(dashboard) for target in panel.get("targets") or []
            if "jaeger" in json.dumps(target.get("datasource"))]


def test_every_jaeger_panel_query_runs_and_the_trace_ones_find_the_journey(live_stack, journey, journey_trace):
    _, dashboard, datasources = generated(live_stack)
    values = variable_values(dashboard, trace_id=journey.trace_id, correlation_id=journey.correlation_id)
    targets = jaeger_targets(dashboard)
    assert targets, "the dashboard has Jaeger panels"
    found_by = {}
    for title, target in targets:
        jaeger_datasource(target["datasource"], values, datasources)
        path, params = grafana_jaeger_request(target, values, journey.started - 60, time.time() + 60)
        response = jaeger_get(live_stack, path, params)
        assert response.status_code == 200, f"{title}: {path} {params}: HTTP {response.status_code} {response.text}"
        body = response.json()
        assert not body.get("errors"), f"{title}: {body['errors']}"
        found_by[title] = {trace["traceID"] for trace in body["data"] or []}
    trace_panel = next(title for title, target in targets if target.get("queryType") != "search")
    correlation_search = next(title for title, target in targets if "correlation_id" in target.get("tags", ""))
    assert found_by[trace_panel] == {journey.trace_id}
    assert journey.trace_id in found_by[correlation_search]
    # Each search is the journey's traced service's: every trace it returns has a span of it.
    service = values["trace_service"]
    for title, target in targets:
        for trace_id in found_by[title] if target.get("queryType") == "search" else ():
            assert service in spans_by_service(trace_in_jaeger(live_stack, trace_id)), (title, trace_id)


def prometheus_exemplars(stack: LiveStack, expr: str, start: float) -> list[dict]:
    response = requests.get(f"{stack.prometheus}/api/v1/query_exemplars",
                            params={"query": expr, "start": start, "end": time.time()}, timeout=10)
    assert response.status_code == 200, response.text
    return [exemplar for series in response.json()["data"] for exemplar in series["exemplars"]]


def test_exemplar_links_of_the_latency_panels_open_traces_jaeger_holds(live_stack, journey, journey_trace):
    _, dashboard, datasources = generated(live_stack)
    prometheus = next(source for source in datasources.values() if source["type"] == "prometheus")
    [destination] = prometheus["jsonData"]["exemplarTraceIdDestinations"]
    assert destination["name"] == EXEMPLAR_TRACE_LABEL
    assert datasources[destination["datasourceUid"]]["type"] == "jaeger"

    # Grafana replaces $__rate_interval before querying; any window covering the journey will do.
    exemplar_exprs = {panel["title"]: target["expr"].replace("$__rate_interval", "5m")
                      for panel in panels(dashboard) for target in panel.get("targets") or [] if target.get("exemplar")}
    assert exemplar_exprs, "the dashboard's latency panels ask for exemplars"

    def linked_trace_ids():
        # Only exemplars since the journey: earlier tests (drills) kill processes whose last spans die with them.
        label = destination["name"]
        found = {title: {e["labels"][label] for e in prometheus_exemplars(live_stack, expr, journey.started)}
                 for title, expr in exemplar_exprs.items()}
        return found if all(found.values()) and journey.trace_id in set().union(*found.values()) else None

    by_panel = wait_for(linked_trace_ids, 60, "an exemplar on every latency panel, one of them the journey's")
    for title, trace_ids in by_panel.items():
        for trace_id in trace_ids:
            assert wait_for(lambda: trace_in_jaeger(live_stack, trace_id), TRACE_WAIT_SECONDS,
                            f"{title}: exemplar trace {trace_id} in Jaeger")
