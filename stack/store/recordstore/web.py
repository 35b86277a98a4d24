"""HTTP plumbing shared by the API and the payment gateway.

One ASGI middleware gives every request its correlation id (taken from
X-Correlation-ID or generated), returns it with the trace id in response
headers, records the RED metrics labelled by route template with the trace id
as exemplar, writes one structured log line, and turns any unhandled error
into a JSON 500 that still carries the correlation id.
"""

from __future__ import annotations

import json
import logging
import time

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode
from prometheus_client import CollectorRegistry
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from recordstore import metrics
from recordstore.faults import FaultInjector
from recordstore.logs import accept_correlation_id, correlation_id_var, current_trace_ids

CORRELATION_HEADER = "x-correlation-id"
TRACE_HEADER = "x-trace-id"
UNMETERED_PATHS = frozenset({"/metrics"})

log = logging.getLogger("recordstore.http")


def error_body(detail: object) -> dict:
    trace_id, _ = current_trace_ids()
    return {"detail": detail, "correlation_id": correlation_id_var.get(), "trace_id": trace_id}


def error_response(status_code: int, detail: object, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(error_body(detail), status_code=status_code, headers=headers)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    return getattr(route, "path", None) or metrics.UNMATCHED_HANDLER


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp, http_metrics: metrics.HttpMetrics):
        self.app = app
        self.http_metrics = http_metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation_id = accept_correlation_id(_header(scope, CORRELATION_HEADER.encode()))
        token = correlation_id_var.set(correlation_id)
        span = trace.get_current_span()
        span.set_attribute("correlation_id", correlation_id)
        trace_id, _ = current_trace_ids()
        response = {"status": 500, "started": False}

        async def send_with_ids(message: Message) -> None:
            if message["type"] == "http.response.start":
                response["status"] = message["status"]
                response["started"] = True
                headers = list(message.get("headers", []))
                headers.append((CORRELATION_HEADER.encode(), correlation_id.encode()))
                if trace_id:
                    headers.append((TRACE_HEADER.encode(), trace_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_ids)
        except Exception as exc:
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            log.exception("unhandled error", extra={"path": scope.get("path")})
            if not response["started"]:
                body = json.dumps(error_body("internal server error"), sort_keys=True).encode()
                await send_with_ids(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [(b"content-type", b"application/json")],
                    }
                )
                await send({"type": "http.response.body", "body": body})
        finally:
            self._record(scope, response["status"], time.perf_counter() - started, trace_id)
            correlation_id_var.reset(token)

    def _record(self, scope: Scope, status: int, seconds: float, trace_id: str | None) -> None:
        path = scope.get("path", "")
        if path in UNMETERED_PATHS:
            return
        handler = _route_template(scope)
        method = scope.get("method", "GET")
        self.http_metrics.observe(handler, method, status, seconds, trace_id)
        level = logging.ERROR if status >= 500 else logging.INFO
        log.log(
            level,
            "request completed",
            extra={
                "http_method": method,
                "http_path": path,
                "handler": handler,
                "status_code": status,
                "duration_ms": round(seconds * 1000, 3),
            },
        )


def install_common_routes(
    app: FastAPI, registry: CollectorRegistry, faults: FaultInjector, admin_enabled: bool
) -> None:
    """/metrics, /admin/faults and JSON error bodies that carry the correlation id."""

    @app.get("/metrics", include_in_schema=False)
    def metrics_endpoint(request: Request) -> Response:
        body, content_type = metrics.render(registry, request.headers.get("accept"))
        return Response(content=body, media_type=content_type)

    if admin_enabled:

        @app.get("/admin/faults")
        def get_faults() -> dict:
            return faults.as_dict()

        @app.post("/admin/faults")
        def set_faults(changes: dict[str, float]) -> dict:
            try:
                faults.update(**changes)
            except ValueError as exc:
                return error_response(400, str(exc))
            log.warning("fault knobs changed", extra={"knobs": faults.as_dict()})
            return faults.as_dict()

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, exc.detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, jsonable_encoder(exc.errors()))
