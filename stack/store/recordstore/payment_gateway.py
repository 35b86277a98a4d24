"""A small service standing in for the external payment provider.

Run: `uvicorn recordstore.payment_gateway:app --port 8002` from stack/store.
`POST /payments` answers 200 (approved), 402 (declined) or 503 (provider
error) according to the RECORDSTORE_PAYMENT_* knobs, changeable at runtime
with `POST /admin/faults`.
"""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal
from typing import Literal

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from pydantic import BaseModel, Field

from recordstore import metrics
from recordstore.config import PAYMENT_SERVICE_NAME, load_settings
from recordstore.faults import FaultInjector, FaultKnobs
from recordstore.logs import configure_logging
from recordstore.tracing import configure_tracing
from recordstore.web import ObservabilityMiddleware, error_response, install_common_routes

log = logging.getLogger("recordstore.payment_gateway")


class PaymentRequest(BaseModel):
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    currency: Literal["USD", "EUR", "GBP"] = "USD"
    payment_method: Literal["card", "paypal", "gift_card"] = "card"


settings = load_settings()
faults = FaultInjector(FaultKnobs.from_settings(settings))
configure_logging(PAYMENT_SERVICE_NAME, settings.log_level)
configure_tracing(PAYMENT_SERVICE_NAME, settings)

app = FastAPI(title="Payment gateway (simulated)")
app.add_middleware(ObservabilityMiddleware, http_metrics=metrics.PAYMENT_HTTP)
install_common_routes(app, metrics.PAYMENT_REGISTRY, faults, settings.admin_enabled)
FastAPIInstrumentor.instrument_app(app, excluded_urls="metrics")


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.post("/payments")
def create_payment(payment: PaymentRequest) -> JSONResponse:
    outcome = faults.payment_outcome()
    extra = {"amount": str(payment.amount), "payment_method": payment.payment_method, "outcome": outcome}
    if outcome == "error":
        metrics.PAYMENTS.labels(outcome="error").inc()
        log.error("payment provider error", extra=extra)
        return error_response(503, "payment provider error")
    if outcome == "declined":
        metrics.PAYMENTS.labels(outcome="declined").inc()
        log.info("payment declined", extra=extra)
        return error_response(402, "payment declined")
    metrics.PAYMENTS.labels(outcome="success").inc()
    payment_id = f"pay_{uuid.uuid4().hex}"
    log.info("payment approved", extra={**extra, "payment_id": payment_id})
    return JSONResponse({"payment_id": payment_id, "status": "approved"})
