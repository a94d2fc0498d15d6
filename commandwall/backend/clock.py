"""How far the platform's clock is from this desk's, read from the ``Date`` header of the platform's answers.

A desk whose clock is off (no time server on a government network, a CMOS battery) judges every platform time
wrong: tasks read overdue or not, units read silent, and a dispatch deadline it computes may already have passed
on the platform, which refuses it. HTTP answers carry the server's time (RFC 9110 ``Date``, to the second):
each answer gives one sample, ``Date`` minus the middle of the request as this desk measured it. The estimate is
the median of the latest samples plus half a second (``Date`` is cut to the second, not rounded), and is taken
as no offset while it is within :data:`TOLERANCE_S` (a second's truncation and a slow answer are no skew).
"""

from __future__ import annotations

import statistics
import threading
from collections import deque
from collections.abc import Callable
from email.utils import parsedate_to_datetime

#: Samples the estimate is the median of: a slow answer or two do not move it.
SAMPLES = 9
#: An estimate within this many seconds is no skew (the header's resolution and a request's time).
TOLERANCE_S = 2.0
#: A sample further off than this (a year) is no clock's drift but a broken or hostile header (``Date: Fri, 31 Dec
#: 9999``): it is not taken, or the desk's "now" would leave the calendar and every time shown with it.
MAX_OFFSET_S = 366 * 86400


class PlatformClock:
    """The offset of the platform's clock from this desk's (seconds to add to the desk's time), from the answers
    of every client it is given to; ``on_change(offset)`` is called (on the requesting thread) when it changes
    by more than :data:`TOLERANCE_S`."""

    def __init__(self, on_change: Callable[[float], None] | None = None) -> None:
        self._samples: deque[float] = deque(maxlen=SAMPLES)
        self._lock = threading.Lock()
        self._offset = 0.0
        self.on_change = on_change

    @property
    def offset_s(self) -> float:
        """Seconds to add to this desk's clock to read the platform's (0 while within :data:`TOLERANCE_S`)."""
        return self._offset

    def note(self, date_header: str | None, sent_at: float, received_at: float) -> None:
        """One answer: its ``Date`` header, and this desk's time (``time.time()``) when the request was sent and
        when the answer's headers came. A missing or unreadable header, one more than a year off
        (:data:`MAX_OFFSET_S`), or a request slower than 10 s, is no sample."""
        if not date_header or not 0 <= received_at - sent_at <= 10:
            return
        try:
            server = parsedate_to_datetime(date_header).timestamp()
        except (TypeError, ValueError, OverflowError, IndexError):
            return
        sample = server + 0.5 - (sent_at + received_at) / 2
        if abs(sample) > MAX_OFFSET_S:
            return
        with self._lock:
            self._samples.append(sample)
            estimate = statistics.median(self._samples)
            offset = 0.0 if abs(estimate) <= TOLERANCE_S else round(estimate, 1)
            changed = abs(offset - self._offset) > TOLERANCE_S or (offset == 0.0) != (self._offset == 0.0)
            if changed:
                self._offset = offset
        if changed and self.on_change is not None:
            self.on_change(offset)
