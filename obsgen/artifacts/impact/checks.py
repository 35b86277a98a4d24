"""First checks for an alert, following the seed's debugging workflow: dashboard row, logs by
correlation id, Jaeger search by service and operation, then the dependencies.

Names come from the model and the store's conventions (stack contract): a stage's service is
`<journey service>-<scrape job>` (kodekloud-record-store-api, kodekloud-record-store-worker), its
log lines are JSON with a `correlation_id` field, and spans follow OpenTelemetry's instrumentation
names: `<METHOD> <route>` for HTTP server spans, `run/<task>` for Celery tasks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlencode

from obsgen.model import Journey, Stage


@dataclass(frozen=True)
class StageClues:
    service: str  # container and tracing service name
    log_term: str  # what identifies the stage in a log line
    operation: str  # span name to search for in Jaeger


def _label(stage: Stage, name: str) -> str | None:
    return next((m.value for m in stage.requests.matchers if m.label == name and m.op == "="), None)


def stage_clues(journey: Journey, stage: Stage) -> StageClues:
    job = _label(stage, "job")
    service = f"{journey.service}-{job}" if job else journey.service
    handler, method, task = _label(stage, "handler"), _label(stage, "method"), _label(stage, "task")
    if handler:
        return StageClues(service, handler, f"{method} {handler}" if method else handler)
    if task:
        return StageClues(service, task, f"run/{task}")
    return StageClues(service, stage.name, stage.name)


def log_commands(clues: StageClues) -> list[str]:
    return [
        f'docker logs {clues.service} 2>&1 | grep "ERROR" | grep "{clues.log_term}"',
        f'docker logs {clues.service} 2>&1 | grep "<correlation-id>"',
    ]


def jaeger_search(journey: Journey, clues: StageClues, **tags: str) -> str:
    query = {"service": clues.service, "operation": clues.operation}
    if tags:
        query["tags"] = json.dumps(tags, separators=(",", ":"), sort_keys=True)
    return f"{journey.trace_ui_url.rstrip('/')}/search?{urlencode(query)}"
