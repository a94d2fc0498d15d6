"""Which generation of the platform's data the desk talks to, from the ``X-Platform-Epoch`` header of its answers.

A platform whose database is reset or restored from a backup numbers its incidents and its event log anew. The
desk sees that when an event id or the incident cursor goes back — but not when the new log is already past the
position it held (a backup restored and run for a while before the desk reconnects): the next events continue
"its" log, and a dispatch queued for INC-000002 would go to the new INC-000002, another incident. The contract's
answer is an opaque epoch in every answer, which the platform changes whenever its data is replaced, and never on
a mere restart. :class:`PlatformEpoch` keeps the one heard last and tells its listeners when it changes; the
outbox keeps with each queued action the epoch it was queued under and sends it only under the same one.

A platform that sends no epoch (an older one) is judged by event ids and cursors alone, as before. An epoch that
comes back after another (two nodes of a platform answering with different ones, a misconfiguration) is no
reset: the desk would reload everything at every answer; it is logged once and the first one kept.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

#: The header every answer of the platform carries (the contract).
EPOCH_HEADER = "X-Platform-Epoch"
#: An epoch longer than this, or with other than printable ASCII, is no epoch (ignored, logged once).
MAX_EPOCH_CHARS = 64

#: ``listener(old, new)``: the platform's data epoch changed from ``old`` ("" before the first one heard) to ``new``.
EpochListener = Callable[[str, str], None]


def valid_epoch(value: str | None) -> str | None:
    """``value`` as an epoch (1 to :data:`MAX_EPOCH_CHARS` printable ASCII characters, outer spaces removed), or
    None."""
    if value is None:
        return None
    value = value.strip()
    if not 0 < len(value) <= MAX_EPOCH_CHARS or not value.isascii() or not value.isprintable():
        return None
    return value


class PlatformEpoch:
    """The platform's data epoch as its answers give it (shared by a session's clients, like its clock).

    ``current`` is "" until an answer carried one (or :meth:`expect` named the one last known). Listeners are
    called on the requesting thread, outside the lock, when a new epoch replaces the current one.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current = ""
        self._seen: set[str] = set()
        self._told_bad = False
        self._told_flapping = False
        self._listeners: list[EpochListener] = []

    @property
    def current(self) -> str:
        """The epoch heard last ("" if none yet)."""
        return self._current

    def add_listener(self, listener: EpochListener) -> Callable[[], None]:
        """Call ``listener(old, new)`` when the epoch changes; returns a function that removes it."""
        with self._lock:
            self._listeners.append(listener)

        def remove() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return remove

    def note(self, header: str | None) -> None:
        """One answer's ``X-Platform-Epoch`` header (None: it had none — nothing is learnt)."""
        if header is None:
            return
        epoch = valid_epoch(header)
        if epoch is None:
            if not self._told_bad:
                self._told_bad = True
                log.warning("the platform's %s header is no epoch (%d chars): ignored", EPOCH_HEADER, len(header))
            return
        with self._lock:
            old = self._current
            if epoch == old:
                return
            if epoch in self._seen:  # back to one heard before: two nodes disagree, not a new generation of data
                if not self._told_flapping:
                    self._told_flapping = True
                    log.warning("the platform answers with data epochs %s and %s in turn (nodes configured apart?): "
                                "the first is kept", old[:16], epoch[:16])
                return
            self._seen.add(epoch)
            self._current = epoch
            listeners = list(self._listeners)
        if old:
            log.warning("the platform's data epoch changed from %s to %s: its data was reset or restored", old[:16],
                        epoch[:16])
        for listener in listeners:
            listener(old, epoch)
