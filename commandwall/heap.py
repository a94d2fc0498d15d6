"""Big data made on a worker thread without pauses of the whole client by Python's cyclic garbage collector.

A big layer (a 33 MB GeoJSON of 6 000 polygons) is millions of lists made on a worker thread. Whatever thread
runs a collection meanwhile — the worker itself while automatic collection is on, the GUI thread where the client
collects from a timer (``commandwall.ui.collector``) — walks every one of them with the interpreter lock held:
collections of the young generation of 100–150 ms, full ones growing past 250 ms, the window frozen each time.

:func:`collector_paused` marks such work (any thread; nested and concurrent ones count): automatic collection is
off while it runs, and :func:`collector_waits` tells a collector of one's own to wait too. Reference counting still
frees what is dropped. :func:`freeze_big` then moves what the work left alive (a layer kept for the map) out of the
collector's sight, as long-lived data, before it runs again.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_pausers = 0  # big work under way with the collector paused
_was_enabled = True


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause cyclic garbage collection while big data is made or checked (see the module docstring). Keep it to
    work that computes — never around a wait for the network: live layers reading at once must not keep it off."""
    global _pausers, _was_enabled
    with _lock:
        if _pausers == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pausers += 1
    try:
        yield
    finally:
        with _lock:
            _pausers -= 1
            if _pausers == 0 and _was_enabled:
                gc.enable()


def collector_waits() -> bool:
    """Big work is under way (:func:`collector_paused`): a collection now would walk what it is making."""
    return _pausers > 0


def freeze_big() -> None:
    """Move every object alive now out of the collector's sight (``gc.freeze``): call it at the end of big work
    whose result lives on (JSON holds no cycles; reference counting frees it when it is dropped). The young
    generation's count starts again from nought, so no collection falls due at once for what the work made."""
    gc.freeze()
