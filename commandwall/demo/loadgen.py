"""Incident bursts for load tests: ``POST /api/v1/exercise/incident-burst`` (admin only) reports new
incidents at a steady rate for a while, each one a real incident (stored, on the event feed, in the cursor).

The publisher spaces incidents evenly (``1 / rate`` seconds apart); when the store falls behind it catches up
without sleeping, so the rate is kept on average. One burst runs at a time; the backend's stop ends it.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from typing import Any

from flask import Blueprint, current_app
from pydantic import Field

from commandwall.demo.app import ApiError, authenticated, ctx, current_user, parse_body
from commandwall.demo.geography import Geography
from commandwall.demo.scenarios import draft_incident
from commandwall.demo.schemas import _Body
from commandwall.demo.store import Store

log = logging.getLogger(__name__)

bp = Blueprint("exercise", __name__)

#: Highest rate and longest burst the endpoint accepts.
MAX_RATE_PER_S = 1000.0
MAX_SECONDS = 600.0
_EXTENSION = "commandwall_burst"


class BurstRequest(_Body):
    """``POST /api/v1/exercise/incident-burst``: how many incidents per second, for how long."""

    rate_per_s: float = Field(gt=0, le=MAX_RATE_PER_S)
    seconds: float = Field(gt=0, le=MAX_SECONDS)


class IncidentBurst:
    """Reports ``round(rate * seconds)`` incidents, evenly spaced, on a daemon thread."""

    def __init__(self, store: Store, geo: Geography, rate_per_s: float, seconds: float,
                 stop: threading.Event, seed: int | None = None) -> None:
        self.store = store
        self.geo = geo
        self.rate_per_s = rate_per_s
        self.planned = max(1, round(rate_per_s * seconds))
        self.published = 0
        self._stop = stop
        self._rng = random.Random(seed)
        self._thread = threading.Thread(target=self._run, name="exercise-burst", daemon=True)

    def start(self) -> IncidentBurst:
        """Begin publishing."""
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        """True until every planned incident is out (or the backend stops)."""
        return self._thread.is_alive()

    def _run(self) -> None:
        start = time.monotonic()
        for i in range(self.planned):
            delay = start + i / self.rate_per_s - time.monotonic()
            if delay > 0 and self._stop.wait(delay):
                return
            if self._stop.is_set():
                return
            try:
                self.store.add_incident(draft_incident(self._rng, self.geo))
            except Exception:  # the database closed under us (backend stopping) or a bug: end the burst
                log.exception("incident burst stopped after %d incidents", self.published)
                return
            self.published += 1
        log.info("incident burst done: %d incidents in %.1f s", self.published, time.monotonic() - start)


def _geography() -> Geography:
    """The district's geography from the served layers (built once per application)."""
    geo = current_app.extensions.get(f"{_EXTENSION}_geo")
    if geo is None:
        geo = Geography(list(ctx().catalogue.layers.values()))
        current_app.extensions[f"{_EXTENSION}_geo"] = geo
    return geo


@bp.post("/api/v1/exercise/incident-burst")
@authenticated()
def incident_burst() -> Any:
    """Start a burst of new incidents (admin only: 403 ``forbidden_for_role``; 409 ``burst_running`` while
    one runs)."""
    if "admin" not in current_user().roles:
        raise ApiError(403, "forbidden_for_role", "只有系统管理员可以发起事件压测", action="incident_burst")
    body = parse_body(BurstRequest)
    running: IncidentBurst | None = current_app.extensions.get(_EXTENSION)
    if running is not None and running.running:
        raise ApiError(409, "burst_running", f"a burst is running ({running.published}/{running.planned})")
    c = ctx()
    burst = IncidentBurst(c.store, _geography(), body.rate_per_s, body.seconds, c.stop)
    current_app.extensions[_EXTENSION] = burst.start()
    return {"rate_per_s": body.rate_per_s, "seconds": body.seconds, "planned": burst.planned}, 202
