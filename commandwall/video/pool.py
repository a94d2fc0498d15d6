"""Shared stream readers: one reader per stream URL, however many tiles show it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from commandwall.video.decode_host import DecodeHost
from commandwall.video.reader import StreamReader
from commandwall.video.transport import RtspTransports

log = logging.getLogger(__name__)


def is_rtsp(url: str) -> bool:
    """True for an ``rtsp://`` or ``rtsps://`` URL (the ones a transport applies to)."""
    return url[:8].lower().startswith(("rtsp://", "rtsps://"))


class ReaderPool:
    """Refcounted :class:`StreamReader` s keyed by URL.

    ``acquire(url)`` starts a reader the first time and returns the same one to every later caller;
    ``release(url)`` stops it when the last holder lets go (without waiting for its thread, so the GUI
    thread never blocks) and keeps it among the *retiring* readers until its thread has ended.
    ``stop_all()`` ends every reader at shutdown, the retiring ones included, and waits for their threads:
    a reader thread still inside OpenCV when the interpreter finalises aborts the process. Thread-safe.
    ``transport_for`` (camera id → ``tcp``/``udp``) picks a new reader's RTSP transport (default TCP); given
    ``transports`` (the data folder's :class:`RtspTransports`), they answer it, and
    :meth:`set_rtsp_transport` changes a camera's transport there and in its running readers. Given a
    ``decode_host`` (and no factory), the readers decode in that decoder process; :meth:`stop_all` ends it.
    """

    def __init__(
        self,
        reader_factory: Callable[[str], StreamReader] | None = None,
        transport_for: Callable[[str], str] | None = None,
        *,
        transports: RtspTransports | None = None,
        decode_host: DecodeHost | None = None,
    ) -> None:
        self.decode_host = decode_host
        self._factory = reader_factory or (lambda url: StreamReader(url, decode_host=decode_host))
        self.transports = transports
        self._transport_for = transport_for or (transports.transport if transports is not None else None)
        self._lock = threading.Lock()
        self._readers: dict[str, StreamReader] = {}
        self._refs: dict[str, int] = {}
        self._retiring: list[StreamReader] = []  # stopped, thread maybe still in a read: joined by stop_all

    def acquire(self, url: str, camera_id: str = "", *, switching: bool = False) -> StreamReader:
        """Return the running reader for ``url`` (started on first use) and count one more holder.

        ``camera_id`` labels the reader's log lines. ``switching``: a tile that shows this camera moves to this
        stream — a reader started for it holds the stream's join burst, so that the tile never steps back to the
        past (``StreamReader.hold_next_join``).
        """
        with self._lock:
            self._retiring = [r for r in self._retiring if r.running]
            reader = self._readers.get(url)
            if reader is None:
                reader = self._factory(url)
                if camera_id and not reader.camera_id:
                    reader.camera_id = camera_id
                if camera_id and self._transport_for is not None:
                    reader.set_rtsp_transport(self._transport_for(camera_id))
                if switching:
                    reader.hold_next_join = True
                reader.start()
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
            self._retiring = [r for r in self._retiring if r.running]
            self._retiring.append(reader)
        reader.stop(timeout_s=0)
        log.debug("pool: stopped reader for %s", reader.safe_url)

    def set_rtsp_transport(self, camera_id: str, transport: str) -> list[StreamReader]:
        """Use ``transport`` (``tcp``/``udp``; ValueError otherwise) for ``camera_id`` from now on: noted in
        :attr:`transports` (saving is the caller's) and applied to the camera's running RTSP readers, which
        reopen at once; readers of other cameras are untouched. Returns the readers that reopen."""
        if self.transports is not None:
            self.transports.set(camera_id, transport)
        with self._lock:
            readers = [r for r in self._readers.values() if r.camera_id == camera_id and is_rtsp(r.url)]
        for reader in readers:
            reader.set_rtsp_transport(transport)
            reader.restart()
        log.info("pool: camera %s uses RTSP over %s (%d stream(s) reopen)", camera_id, transport, len(readers))
        return readers

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

    def running(self) -> list[StreamReader]:
        """Readers whose thread is still alive: the held ones and the released ones still finishing a read."""
        with self._lock:
            readers = [*self._readers.values(), *self._retiring]
        return [r for r in readers if r.running]

    def stop_all(self, timeout_s: float = 6.0) -> bool:
        """Stop every reader (held or retiring) and wait for their threads, all within ``timeout_s``.

        True if all ended. The default outlasts a reader's open and read timeouts (5 s each), so a thread
        blocked in FFmpeg gets out before the wait ends; readers that still run stay listed by
        :meth:`running` and are waited for again by the next call.
        """
        with self._lock:
            readers = [*self._readers.values(), *self._retiring]
            self._readers.clear()
            self._refs.clear()
            self._retiring = []
        for reader in readers:
            reader.stop(timeout_s=0)  # signal all first, then wait: the waits overlap
        deadline = time.monotonic() + timeout_s
        for reader in readers:
            reader.join(max(0.0, deadline - time.monotonic()))
        left = [r for r in readers if r.running]
        if self.decode_host is not None:
            self.decode_host.close(max(0.5, deadline - time.monotonic()))
        if left:
            with self._lock:
                self._retiring.extend(left)
            log.warning("pool: %d stream thread(s) still inside a read after %.1f s: %s", len(left), timeout_s,
                        ", ".join(r.context for r in left))  # fmt: skip
        return not left
