"""Live events: a condition that wakes waiting streams, and the Server-Sent Events generator.

The event log itself lives in SQLite (``events`` table); this module only tells waiting streams that
something new was committed, and formats rows as ``text/event-stream``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

from commandwall.demo.db import Database, EventRow

#: Longest single wait on the condition, so every loop re-checks for shutdown.
WAIT_SLICE_S = 0.5
#: Events sent per database read while replaying.
REPLAY_BATCH = 500


class EventHub:
    """Tells SSE streams that the event log grew; ``close()`` ends every stream."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._last_id = 0
        self._closed = False

    @property
    def closed(self) -> bool:
        """True once the server is stopping."""
        return self._closed

    def publish(self, last_id: int) -> None:
        """Record that events up to ``last_id`` are committed and wake the streams."""
        with self._cond:
            self._last_id = max(self._last_id, last_id)
            self._cond.notify_all()

    def wait_beyond(self, seen_id: int, timeout: float) -> bool:
        """Wait (at most ``timeout`` s) until an event newer than ``seen_id`` is published.

        Returns True if there is one; False on timeout or shutdown.
        """
        with self._cond:
            if self._last_id <= seen_id and not self._closed:
                self._cond.wait(timeout=max(0.0, timeout))
            return self._last_id > seen_id and not self._closed

    def close(self) -> None:
        """Wake and end all streams (server stop)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()


#: Characters that JSON may leave raw but that line splitters such as Python's ``str.splitlines`` (and so
#: ``requests``' ``iter_lines``) treat as line ends; escaped so one ``data:`` line stays one line everywhere.
_UNICODE_LINE_ENDS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def format_event(row: EventRow) -> str:
    """One SSE message: ``id``, ``event`` and single-line JSON ``data`` (the same JSON value, with the
    few Unicode line separators that JSON allows raw written as escapes)."""
    data = json.dumps(row.data, ensure_ascii=False, separators=(",", ":")).translate(_UNICODE_LINE_ENDS)
    return f"id: {row.id}\nevent: {row.kind}\ndata: {data}\n\n"


def sse_stream(
    db: Database, hub: EventHub, last_event_id: int | None, keepalive_s: float = 15.0
) -> Iterator[str]:
    """Generate the event stream for one client.

    Replays events after ``last_event_id`` from the log (none given: start at the newest; an id the log
    never reached: replay everything), then sends new
    ones as they are committed; a ``: keepalive`` comment goes out after ``keepalive_s`` of silence.
    Ends when the hub closes (server stop) or the client goes away (the server closes the generator).
    """
    top = db.max_event_id()
    # an id beyond the log means the log was reset (a new exercise database): replay it all
    cursor = top if last_event_id is None else (last_event_id if 0 <= last_event_id <= top else 0)
    yield "retry: 2000\n: connected\n\n"
    last_sent = time.monotonic()
    while not hub.closed:
        rows = db.events_after(cursor, REPLAY_BATCH)
        if rows:
            yield "".join(format_event(r) for r in rows)
            cursor = rows[-1].id
            last_sent = time.monotonic()
            continue
        remaining = keepalive_s - (time.monotonic() - last_sent)
        if remaining <= 0:
            yield ": keepalive\n\n"
            last_sent = time.monotonic()
            continue
        hub.wait_beyond(cursor, min(WAIT_SLICE_S, remaining))
