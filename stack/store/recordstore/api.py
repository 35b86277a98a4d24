"""The record store's HTTP API: browse, checkout, order status, health.

Run: `uvicorn recordstore.api:app --port 8001` from stack/store.

Checkout answers fast: it validates the product and stock, charges the
payment gateway, commits the order, and only then hands `process_order` to
RabbitMQ. When PostgreSQL is unreachable every endpoint that needs it answers
503 with the correlation id within the pool timeout.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import httpx
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.celery import CeleryInstrumentor
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.propagate import inject
from pydantic import BaseModel, Field

from recordstore import db, metrics
from recordstore.broker import PROCESS_ORDER, check_broker, publish
from recordstore.config import API_SERVICE_NAME, Settings, load_settings
from recordstore.faults import FaultInjector, FaultKnobs, InjectedFault
from recordstore.logs import configure_logging, correlation_id_var
from recordstore.tracing import configure_tracing, current_trace_id, tracer
from recordstore.web import ObservabilityMiddleware, error_response, install_common_routes

log = logging.getLogger("recordstore.api")

PaymentMethod = Literal["card", "paypal", "gift_card"]


class CheckoutRequest(BaseModel):
    product_id: int = Field(gt=0)
    quantity: int = Field(default=1, ge=1, le=100)
    payment_method: PaymentMethod = "card"
    customer_id: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9._@\-]+$")


class PaymentDeclined(Exception):
    pass


class PaymentUnavailable(Exception):
    pass


@dataclass
class Dependencies:
    settings: Settings
    pool: db.StorePool
    payments: httpx.Client


settings = load_settings()
faults = FaultInjector(FaultKnobs.from_settings(settings))
configure_logging(API_SERVICE_NAME, settings.log_level)
configure_tracing(API_SERVICE_NAME, settings)
CeleryInstrumentor().instrument()  # producer spans + traceparent in task headers
_deps: Dependencies | None = None


def deps() -> Dependencies:
    if _deps is None:
        raise RuntimeError("the API's lifespan has not started")
    return _deps


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    global _deps
    pool = db.create_pool(settings, "recordstore-api")
    payments = httpx.Client(base_url=settings.payment_url, timeout=settings.payment_timeout_seconds)
    HTTPXClientInstrumentor().instrument_client(payments)
    _deps = Dependencies(settings, pool, payments)
    db.ensure_schema(pool)
    log.info("api started", extra={"payment_url": settings.payment_url})
    try:
        yield
    finally:
        payments.close()
        pool.close()
        _deps = None


app = FastAPI(title="KodeKloud Records Store API", lifespan=lifespan)
app.add_middleware(ObservabilityMiddleware, http_metrics=metrics.API_HTTP)
install_common_routes(app, metrics.API_REGISTRY, faults, settings.admin_enabled)
FastAPIInstrumentor.instrument_app(app, excluded_urls="metrics")


@app.exception_handler(db.DatabaseUnavailable)
async def database_unavailable(_: Request, exc: db.DatabaseUnavailable) -> JSONResponse:
    log.error("database unavailable", extra={"error": str(exc)})
    return error_response(503, "database unavailable", headers={"Retry-After": "5"})


@app.exception_handler(InjectedFault)
async def injected_fault(_: Request, exc: InjectedFault) -> JSONResponse:
    log.error("injected fault", extra={"error": str(exc)})
    return error_response(500, str(exc))


@app.exception_handler(PaymentDeclined)
async def payment_declined(_: Request, exc: PaymentDeclined) -> JSONResponse:
    return error_response(402, str(exc))


@app.exception_handler(PaymentUnavailable)
async def payment_unavailable(_: Request, exc: PaymentUnavailable) -> JSONResponse:
    log.error("payment gateway unavailable", extra={"error": str(exc)})
    return error_response(502, str(exc))


@app.get("/health")
def health() -> dict:
    """Liveness: the process answers. Dependencies are /ready's business."""
    return {"status": "ok"}


@app.get("/ready")
def ready() -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        db.ping(deps().pool)
        checks["database"] = "ok"
    except db.DatabaseUnavailable as exc:
        checks["database"] = f"unavailable: {exc}"
    try:
        check_broker(settings)
        checks["broker"] = "ok"
    except Exception as exc:  # kombu raises several unrelated types
        checks["broker"] = f"unavailable: {exc}"
    if all(value == "ok" for value in checks.values()):
        return JSONResponse({"status": "ready", "checks": checks})
    return error_response(503, {"status": "not ready", "checks": checks})


def _json_ready(row: dict) -> dict:
    """Money stays exact in PostgreSQL; clients get plain JSON numbers and ISO timestamps."""
    ready = {}
    for key, value in row.items():
        if isinstance(value, Decimal):
            value = float(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        ready[key] = value
    return ready


@app.get("/products")
def list_products(genre: str | None = Query(default=None, max_length=32)) -> JSONResponse:
    return JSONResponse([_json_ready(row) for row in db.list_products(deps().pool, genre)])


@app.get("/products/{product_id}")
def get_product(product_id: int) -> JSONResponse:
    product = db.get_product(deps().pool, product_id)
    if product is None:
        raise HTTPException(404, f"product {product_id} not found")
    return JSONResponse(_json_ready(product))


def _charge(amount: Decimal, method: str, correlation_id: str) -> str:
    """Charge through the payment gateway; returns its payment id."""
    try:
        answer = deps().payments.post(
            "/payments",
            json={"amount": str(amount), "currency": "USD", "payment_method": method},
            headers={"X-Correlation-ID": correlation_id},
        )
    except httpx.HTTPError as exc:
        metrics.PAYMENT_GATEWAY_REQUESTS.labels(outcome="error").inc()
        raise PaymentUnavailable(f"payment gateway unreachable: {type(exc).__name__}") from exc
    if answer.status_code == 402:
        metrics.PAYMENT_GATEWAY_REQUESTS.labels(outcome="declined").inc()
        raise PaymentDeclined("payment declined")
    if answer.status_code != 200:
        metrics.PAYMENT_GATEWAY_REQUESTS.labels(outcome="error").inc()
        raise PaymentUnavailable(f"payment gateway answered {answer.status_code}")
    metrics.PAYMENT_GATEWAY_REQUESTS.labels(outcome="success").inc()
    return answer.json()["payment_id"]


def _enqueue(order_id: int) -> bool:
    """Hand the committed order to RabbitMQ; on failure the worker's sweeper retries later."""
    try:
        publish(PROCESS_ORDER, order_id, settings)
    except Exception as exc:  # kombu/amqp raise many types; the order is safe in the DB
        log.warning(
            "order committed but not enqueued; the worker will re-enqueue it",
            extra={"order_id": order_id, "error": repr(exc)},
        )
        return False
    try:
        db.mark_enqueued(deps().pool, order_id)
    except db.DatabaseUnavailable as exc:
        # Harmless: the sweeper may publish it again and processing is idempotent.
        log.warning("order enqueued but not marked", extra={"order_id": order_id, "error": str(exc)})
    return True


def _record_sale(order: db.CreatedOrder, quantity: int, payment_method: str) -> None:
    metrics.ORDERS.inc()
    metrics.ALBUM_PURCHASES.labels(genre=order.genre).inc(quantity)
    metrics.REVENUE.labels(payment_method=payment_method).inc(float(order.total))
    if order.customer_ltv is not None:
        metrics.CUSTOMER_LTV.observe(float(order.customer_ltv))


@app.post("/checkout", status_code=202)
def checkout(request: CheckoutRequest) -> JSONResponse:
    correlation_id = correlation_id_var.get()
    attributes = {
        "correlation_id": correlation_id,
        "product_id": request.product_id,
        "quantity": request.quantity,
        "payment_method": request.payment_method,
    }
    with tracer().start_as_current_span("checkout_order", attributes=attributes) as span:
        faults.checkout_faults()
        product = db.get_product(deps().pool, request.product_id)
        if product is None:
            raise HTTPException(404, f"product {request.product_id} not found")
        if product["stock"] < request.quantity:
            raise HTTPException(409, f"only {product['stock']} left in stock")
        payment_id = _charge(product["price"] * request.quantity, request.payment_method, correlation_id)
        carrier: dict[str, str] = {}
        inject(carrier)
        try:
            order = db.create_order(
                deps().pool,
                product_id=request.product_id,
                quantity=request.quantity,
                customer_id=request.customer_id,
                payment_method=request.payment_method,
                payment_id=payment_id,
                correlation_id=correlation_id,
                traceparent=carrier.get("traceparent"),
            )
        except db.OutOfStock as exc:
            log.warning("stock ran out after payment; payment to be voided", extra={"payment_id": payment_id})
            raise HTTPException(409, str(exc)) from exc
        span.set_attribute("order_id", order.order_id)
        _record_sale(order, request.quantity, request.payment_method)
        enqueued = _enqueue(order.order_id)
        log.info(
            "order accepted",
            extra={"order_id": order.order_id, "total": str(order.total), "enqueued": enqueued},
        )
    return JSONResponse(
        {
            "order_id": order.order_id,
            "status": "pending",
            "total": float(order.total),
            "correlation_id": correlation_id,
            "trace_id": current_trace_id(),
            "enqueued": enqueued,
        },
        status_code=202,
        headers={"Location": f"/orders/{order.order_id}"},
    )


@app.get("/orders/{order_id}")
def get_order(order_id: int) -> JSONResponse:
    order = db.get_order(deps().pool, order_id)
    if order is None:
        raise HTTPException(404, f"order {order_id} not found")
    return JSONResponse(_json_ready(order))
