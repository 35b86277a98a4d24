"""Waiting for a journey to be quiet: nothing of it pending, firing or held in Alertmanager for a
while. A drill waits for this before its failure (an earlier drill's alerts, a recently-down
companion still holding its symptoms back) and after its restore, instead of refusing to start or
leaving alerts behind; bounded, and saying every PROGRESS_SECONDS what it still waits for.
"""

from __future__ import annotations

import time
from typing import Callable

from lab.drill.observe import Observation
from obsgen.promql import format_duration

PROGRESS_SECONDS = 10.0


def still_there(obs: Observation) -> str:
    """What keeps an observation from being quiet, as a person reads it."""
    prometheus = [f"{key} {state}" for key, state in obs.prometheus]
    alertmanager = [f"{key} {state} in Alertmanager" for key, state, _ in obs.alertmanager]
    return ", ".join(dict.fromkeys(prometheus + alertmanager)) or "nothing"


def wait_quiet(poll: Callable[[], Observation], quiet: float, timeout: float, say: Callable[[str], None],
               what: str, *, every: float = PROGRESS_SECONDS, pause: float = 1.0) -> Observation | None:
    """Poll until the journey has been quiet for `quiet` seconds (a quiet spell starts at the first quiet
    observation and ends at any other); the last observation then, or None after `timeout` seconds.
    `say` gets a line at the start and every `every` seconds while something is still there."""
    started = time.monotonic()
    next_line = started
    quiet_since: float | None = None
    while True:
        obs = poll()
        quiet_since = (quiet_since if quiet_since is not None else obs.t) if obs.quiet else None
        if quiet_since is not None and obs.t - quiet_since >= quiet:
            return obs
        now = time.monotonic()
        if now >= started + timeout:
            return None
        if now >= next_line:
            waited = format_duration(round(now - started))
            left = format_duration(round(started + timeout - now))
            state = "quiet, confirming" if obs.quiet else f"still {still_there(obs)}"
            say(f"drill: waiting {what} ({waited} so far, at most {left} more): {state}")
            next_line = now + every
        time.sleep(pause)
