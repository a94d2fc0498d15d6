"""The decoder process's presenters (commandwall/video/x11present.py) on a real X server: the streams of the
process put their pictures through a few shared connections (one per STREAMS_PER_CONNECTION streams), so a wall of
many screens does not take the X server's clients (256 for the whole desktop by default; this Xvfb takes 64) — and
each stream is told only of its own errors."""

from __future__ import annotations

import ctypes
import threading

import pytest

from commandwall.video import x11present
from commandwall.video.x11present import Display, WindowPresenter, X11Error
from tests.e2e.xvfb import xvfb_display

pytestmark = pytest.mark.e2e

#: more streams than the server takes clients
STREAMS = 80
TILE = 32
ALL_PLANES = ctypes.c_ulong(-1).value


def colour(i: int) -> tuple[int, int, int]:
    """A colour of its own for stream ``i`` (B, G, R)."""
    return (37 * i) % 256, (91 * i + 40) % 256, 255 - (53 * i) % 256


def pixel(display: Display, window: int, x: int, y: int) -> tuple[int, int, int]:
    """The window's pixel at (x, y) as the server has it (B, G, R), read with XGetImage."""
    x11 = display.lib.x11
    x11.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int, ctypes.c_uint,
                              ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]  # fmt: skip
    x11.XGetImage.restype = ctypes.POINTER(x11present._XImage)
    image = x11.XGetImage(display.handle, window, x, y, 1, 1, ALL_PLANES, x11present.ZPIXMAP)
    assert image, "XGetImage failed"
    try:
        data = ctypes.string_at(image.contents.data, 4)
        return data[0], data[1], data[2]
    finally:
        x11.XFree(image.contents.data)
        image.contents.data = None
        x11.XFree(image)


def test_more_streams_than_the_server_takes_clients_share_a_few_connections() -> None:
    with xvfb_display(1280, 720, extra=("-maxclients", "64")) as name:
        main = Display(name)
        try:
            windows = main.tile_windows(10, 8, TILE, TILE)
            presenters: list[WindowPresenter | None] = [None] * STREAMS
            failures: list[str] = []
            start = threading.Barrier(STREAMS)

            def stream(i: int) -> None:  # as each stream's thread in the decoder process does
                try:
                    start.wait(10)
                    presenter = WindowPresenter.connect(name)
                    presenters[i] = presenter
                    presenter.target(windows[i], (TILE, TILE))
                    for _ in range(3):
                        presenter.buffer((TILE, TILE, 4))[:] = (*colour(i), 0)
                        presenter.put()
                except (X11Error, threading.BrokenBarrierError) as exc:
                    failures.append(f"stream {i}: {exc}")

            threads = [threading.Thread(target=stream, args=(i,)) for i in range(STREAMS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
            assert not failures, failures[:5]
            connections = len(x11present._shared[name])
            assert connections == -(-STREAMS // x11present.STREAMS_PER_CONNECTION), connections
            # each window shows its own stream's picture, read back from the server
            shown = [pixel(main, windows[i], TILE // 2, TILE // 2) for i in range(STREAMS)]
            assert shown == [colour(i) for i in range(STREAMS)]
            # a window destroyed under one stream is that stream's error only; the others go on
            main.destroy_window(windows[5])
            with pytest.raises(X11Error):
                presenters[5].put()
            for i in (4, 6):
                presenters[i].put()
            for presenter in presenters:
                presenter.close()
            assert x11present._shared == {}, "closed with its last stream"
        finally:
            main.close()
