"""Failure-injection knobs for drills: error rate, slowness, task failures.

Knobs start from environment variables and can be changed at runtime through
each HTTP service's `POST /admin/faults`, so a drill does not need a restart.
Each process holds its own knobs (the worker reads its environment only).
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import asdict, dataclass, fields, replace

from recordstore.config import Settings


class InjectedFault(Exception):
    """Raised where a knob asks for a failure; never raised with knobs at 0."""


@dataclass(frozen=True)
class FaultKnobs:
    error_rate: float = 0.0
    slow_seconds: float = 0.0
    task_failure_rate: float = 0.0
    payment_error_rate: float = 0.0
    payment_decline_rate: float = 0.0
    payment_slow_seconds: float = 0.0

    @classmethod
    def from_settings(cls, settings: Settings) -> "FaultKnobs":
        return cls(**{field.name: getattr(settings, field.name) for field in fields(cls)})

    def validated(self) -> "FaultKnobs":
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name.endswith("_rate") and not 0.0 <= value <= 1.0:
                raise ValueError(f"{field.name} must be between 0 and 1, got {value}")
            if field.name.endswith("_seconds") and not 0.0 <= value <= 300.0:
                raise ValueError(f"{field.name} must be between 0 and 300, got {value}")
        return self


class FaultInjector:
    def __init__(self, knobs: FaultKnobs, rng: random.Random | None = None):
        self._knobs = knobs.validated()
        self._lock = threading.Lock()
        self._rng = rng or random.Random()

    @property
    def knobs(self) -> FaultKnobs:
        with self._lock:
            return self._knobs

    def update(self, **changes: float) -> FaultKnobs:
        unknown = set(changes) - {field.name for field in fields(FaultKnobs)}
        if unknown:
            raise ValueError(f"unknown fault knobs: {sorted(unknown)}")
        with self._lock:
            self._knobs = replace(self._knobs, **changes).validated()
            return self._knobs

    def as_dict(self) -> dict[str, float]:
        return asdict(self.knobs)

    def _roll(self, rate: float) -> bool:
        if rate <= 0.0:
            return False
        with self._lock:
            return self._rng.random() < rate

    def delay(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def checkout_faults(self) -> None:
        """API: extra latency then, maybe, an injected server error."""
        knobs = self.knobs
        self.delay(knobs.slow_seconds)
        if self._roll(knobs.error_rate):
            raise InjectedFault("injected checkout error (RECORDSTORE_ERROR_RATE)")

    def task_faults(self, task_name: str) -> None:
        if self._roll(self.knobs.task_failure_rate):
            raise InjectedFault(f"injected failure of {task_name} (RECORDSTORE_TASK_FAILURE_RATE)")

    def payment_outcome(self) -> str:
        """Payment gateway: 'error', 'declined' or 'approved' after optional delay."""
        knobs = self.knobs
        self.delay(knobs.payment_slow_seconds)
        if self._roll(knobs.payment_error_rate):
            return "error"
        if self._roll(knobs.payment_decline_rate):
            return "declined"
        return "approved"
