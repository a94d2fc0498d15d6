"""Shared stream readers: one reader per stream URL, however many tiles show it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from commandwall.video.reader import StreamReader

log = logging.getLogger(__name__)


class ReaderPool:
    """Refcounted :class:`StreamReader` s keyed by URL.

    ``acquire(url)`` starts a reader the first time and returns the same one to every later caller;
    ``release(url)`` stops it when the last holder lets go (without waiting for its thread, so the GUI
    thread never blocks). ``stop_all()`` ends every reader at shutdown. Thread-safe.
    """

    def __init__(self, reader_factory: Callable[[str], StreamReader] = StreamReader) -> None:
        self._factory = reader_factory
        self._lock = threading.Lock()
        self._readers: dict[str, StreamReader] = {}
        self._refs: dict[str, int] = {}

    def acquire(self, url: str) -> StreamReader:
        """Return the running reader for ``url`` (started on first use) and count one more holder."""
        with self._lock:
            reader = self._readers.get(url)
            if reader is None:
                reader = self._factory(url).start()
                self._readers[url] = reader
                self._refs[url] = 0
                log.debug("pool: new reader for %s", reader.safe_url)
            self._refs[url] += 1
            return reader

    def release(self, url: str) -> None:
        """Count one holder less; the last release stops the reader. Raises KeyError if not held."""
        with self._lock:
            if url not in self._refs:
                raise KeyError("release of a stream that is not held")
            self._refs[url] -= 1
            if self._refs[url] > 0:
                return
            del self._refs[url]
            reader = self._readers.pop(url)
        reader.stop(timeout_s=0)
        log.debug("pool: stopped reader for %s", reader.safe_url)

    def refcount(self, url: str) -> int:
        """How many holders ``url`` has (0 if none)."""
        with self._lock:
            return self._refs.get(url, 0)

    def get(self, url: str) -> StreamReader | None:
        """The reader for ``url`` if someone holds it, without taking a reference."""
        with self._lock:
            return self._readers.get(url)

    def urls(self) -> list[str]:
        """URLs with a live reader."""
        with self._lock:
            return list(self._readers)

    def __len__(self) -> int:
        with self._lock:
            return len(self._readers)

    def stop_all(self, timeout_s: float = 2.0) -> bool:
        """Stop every reader and wait for their threads, all within ``timeout_s``. True if all ended."""
        with self._lock:
            readers = list(self._readers.values())
            self._readers.clear()
            self._refs.clear()
        for reader in readers:
            reader.stop(timeout_s=0)  # signal all first, then wait: the waits overlap
        deadline = time.monotonic() + timeout_s
        ended = True
        for reader in readers:
            ended = reader.join(max(0.0, deadline - time.monotonic())) and ended
        if not ended:
            log.warning("pool: some stream threads are still inside a read; they end on their own")
        return ended
