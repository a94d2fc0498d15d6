"""Child process of test_wall_direct_x11: a video wall on an X display (xcb) whose pictures the decoder process
puts straight into the tiles' windows (直显), played from the exercise backend's H.264 streams on 127.0.0.1 —
one of them through a relay this process can cut — and worked the way an officer works a wall:

- four cameras arranged: every tile goes 直显; the screen (read back from the X server) shows each stream's
  burned-in index in the tile, and it moves; the client hears of the pictures a couple of times a second while
  every picture is counted; a real mouse (XTest) clicks, double-clicks and drags on the tiles;
- the wheel zooms a tile, the 码流信息 overlay, the same camera in two tiles: each puts the tile back to Qt's
  painting at once, and 直显 comes back when it is undone;
- a snapshot of a 直显 tile; a tile maximised and back (no stream reopened); the wall cleared and filled five times
  (the decoder's memory and connections back to nothing once cleared);
- the relay cut: the tile stops being 直显 and shows its last picture dimmed;
- a tile's window destroyed under the decoder by another X client: that tile is painted by Qt, the others stay
  直显, the decoder process lives on.

With ``--no-shm`` (a display without MIT-SHM) it only checks that the tiles play, painted by Qt, and why 直显 is
off. Prints ``RESULT {json}`` and exits.
"""

from __future__ import annotations

import json
import os
import select
import socket
import socketserver
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import psutil
from PySide6.QtCore import QEventLoop, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QImage, QPainter, QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget

from commandwall.demo import DemoBackend
from commandwall.demo.media import read_index_code
from commandwall.demo.viewer import online_h264_cameras
from commandwall.domain.models import Camera
from commandwall.textsafe import display_text
from commandwall.ui.wall import WallView
from commandwall.ui.wall.direct import lasting_error
from commandwall.ui.wall.tile import TileView
from commandwall.video.decode_host import DecodeHost
from commandwall.video.overload import Degrade
from commandwall.video.pool import ReaderPool
from commandwall.video.x11present import Display
from tests.e2e.xinput import XInput
from tests.ui.test_wall import to_array


class Relay(socketserver.ThreadingTCPServer):
    """A TCP relay on 127.0.0.1 to ``upstream`` (host, port) that :meth:`cut` silences: connections stay open and
    nothing more passes (a camera that stalls, as a stuck encoder or a dead link does)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.silent = threading.Event()
        super().__init__(("127.0.0.1", 0), _RelayHandler)
        threading.Thread(target=self.serve_forever, args=(0.1,), daemon=True).start()

    def cut(self) -> None:
        self.silent.set()


class _RelayHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server: Relay = self.server  # type: ignore[assignment]
        with socket.create_connection(server.upstream, timeout=5) as upstream:
            ends = [self.request, upstream]
            for _ in range(100_000):  # bounded: a few minutes of a stream at most
                ready, _, _ = select.select(ends, [], [], 0.2)
                if server.silent.is_set():
                    time.sleep(0.2)
                    continue
                for end in ready:
                    data = end.recv(65536)
                    if not data:
                        return
                    (upstream if end is self.request else self.request).sendall(data)


#: a camera name a platform could send: markup, template syntax, a format string, a right-to-left override
HOSTILE_NAME = "<b>粗体</b>{{7*7}}%s${7*7}\u202egnp.exe"


def pump(seconds: float, until: Callable[[], bool] | None = None) -> bool:
    """Let Qt run for ``seconds`` or until ``until()`` holds; whether it held (or there was none)."""
    deadline = time.monotonic() + seconds
    loop = QEventLoop()
    while time.monotonic() < deadline:
        if until is not None and until():
            return True
        QTimer.singleShot(20, loop.quit)
        loop.exec()
    return until is None or until()


def through(camera: Camera, relay: Relay) -> Camera:
    """``camera`` with its streams fetched through ``relay``."""
    parts = urlsplit(camera.streams.sub)
    url = urlunsplit(parts._replace(netloc=f"127.0.0.1:{relay.server_address[1]}"))
    return camera.model_copy(update={"streams": camera.streams.model_copy(update={"main": url, "sub": url})})


def screen_picture(app: QApplication, tile: TileView) -> np.ndarray:
    """What the X server shows where the tile's picture is (RGB), read back from the screen."""
    frame = tile.frame
    assert frame is not None
    surface = tile._surface if tile.direct and tile._surface is not None else tile
    origin = surface.mapToGlobal(QPoint(0, 0))
    ratio = surface.devicePixelRatioF()  # the picture is in device pixels, the grab in logical ones
    width, height = round(frame.width / ratio), round(frame.height / ratio)  # the picture, centred in the surface
    x = origin.x() + max(0, (surface.width() - width) // 2)
    y = origin.y() + max(0, (surface.height() - height) // 2)
    return to_array(app.primaryScreen().grabWindow(0, x, y, width, height).toImage())


def device_size(widget: QWidget) -> list[int]:
    """``widget``'s width and height in device pixels."""
    ratio = widget.devicePixelRatioF()
    return [round(widget.width() * ratio), round(widget.height() * ratio)]


def decoder_state(host: DecodeHost) -> tuple[int, int]:
    """The decoder process's open files and the System V shared-memory segments it made (its pictures' memory)."""
    return psutil.Process(host.pid).num_fds(), segments_of(host.pid)


def segments_of(pid: int | None) -> int:
    """The System V shared-memory segments process ``pid`` made that are still there."""
    with open("/proc/sysvipc/shm", encoding="ascii") as table:
        return sum(1 for line in table.readlines()[1:] if int(line.split()[4]) == pid)


def strip_on_screen(app: QApplication, strip: QWidget) -> tuple[bool, float]:
    """Whether the X screen shows ``strip`` (a tile's opaque bar or caption above its presented picture) as it
    paints itself, and how much its painting varies (text drawn, not a flat bar)."""
    origin = strip.mapToGlobal(QPoint(0, 0))
    shown = app.primaryScreen().grabWindow(0, origin.x(), origin.y(), strip.width(), strip.height()).toImage()
    expected = QImage(shown.size(), QImage.Format.Format_RGB32)
    painter = QPainter(expected)
    try:
        strip._paint(painter)  # what the strip paints: the tile's bar over the opaque colour
    finally:
        painter.end()
    a, b = (to_array(i).astype(int) for i in (shown, expected))
    return a.shape == b.shape and float(np.abs(a - b).mean()) < 2.0, float(b.std())


def main() -> dict:
    no_shm = "--no-shm" in sys.argv
    app = QApplication.instance() or QApplication(sys.argv)
    folder = Path(tempfile.mkdtemp(prefix="wall-direct-"))
    backend = DemoBackend(db_path=folder / "exercise.sqlite3", incident_rate_per_min=0, simulate=False).start()
    host = DecodeHost()
    host.start()
    pool = ReaderPool(decode_host=host)
    wall = WallView(pool, tile_count=4)
    wall.resize(1280, 720)
    wall.show()
    result: dict = {"platform": app.platformName()}
    relay = None
    idle = decoder_state(host)  # no stream yet: the decoder's own files, no shared memory
    try:
        cameras = online_h264_cameras(backend.base_url, 5)
        server = urlsplit(backend.base_url)
        relay = Relay((server.hostname or "127.0.0.1", server.port or 80))
        cameras[3] = through(cameras[3], relay)
        cameras[0] = cameras[0].model_copy(update={"name": HOSTILE_NAME})  # as a platform could name it
        wall.model.arrange("4", cameras[:4])
        tiles = wall.tiles()[:4]
        live = pump(20, lambda: all(t.badge()[1] == "live" for t in tiles))
        result["live"] = live
        if no_shm:
            pump(3)
            painted = [t.frames_painted for t in tiles]
            pump(2)
            result["direct"] = [t.direct for t in tiles]
            result["painted_2s"] = [t.frames_painted - p for t, p in zip(tiles, painted, strict=True)]
            result["lasting_error"] = lasting_error()
            return result

        started = time.monotonic()
        result["all_direct"] = pump(10, lambda: all(t.direct for t in tiles))
        if "--decoder-crash" in sys.argv:  # the decoder process dies as a crash inside FFmpeg would
            pump(1.5)
            readers = [t.reader for t in tiles]
            reconnects = [r.stats().reconnects for r in readers]
            old_pid = host.pid
            shm_before = decoder_state(host)[1]
            host.kill()
            started = time.monotonic()
            back = pump(20, lambda: host.pid not in (None, old_pid) and all(
                t.direct and t.badge()[1] == "live" and r.stats().reconnects > n
                for t, r, n in zip(tiles, readers, reconnects, strict=True)))  # fmt: skip
            crash = {"back": back, "back_after_s": time.monotonic() - started, "starts": host.starts,
                     "new_pid": host.pid not in (None, old_pid), "shm_before": shm_before}  # fmt: skip
            pump(1.5)
            first = [read_index_code(screen_picture(app, t)) for t in tiles]
            pump(0.7)
            crash["screen"] = [first, [read_index_code(screen_picture(app, t)) for t in tiles]]
            crash["old_segments"] = segments_of(old_pid)  # the dead process's memory is gone
            crash["new_segments"] = decoder_state(host)[1]
            result["decoder_crash"] = crash
            return result
        if "--hidpi" in sys.argv:  # QT_SCALE_FACTOR set (2, 1.5): the surfaces' windows are in device pixels
            pump(1.5)
            painted = [t.frames_painted for t in tiles]
            first = [read_index_code(screen_picture(app, t)) for t in tiles]
            pump(0.7)
            second = [read_index_code(screen_picture(app, t)) for t in tiles]
            result["hidpi"] = {
                "ratio": tiles[0].devicePixelRatioF(),
                "first": first,
                "second": second,
                # the picture the decoder scaled (device pixels) against its surface's device pixels
                "picture": [[t.frame.width, t.frame.height] for t in tiles],
                "surface": [device_size(t._surface) if t._surface is not None else None for t in tiles],
                "painted": [t.frames_painted - p for t, p in zip(tiles, painted, strict=True)],
            }
            return result
        result["direct_after_s"] = time.monotonic() - started
        pump(1.5)  # the first pictures put and told

        # the screen shows the streams, and they move
        first = [read_index_code(screen_picture(app, t)) for t in tiles]
        std = [float(screen_picture(app, t).std()) for t in tiles]
        pump(0.7)
        second = [read_index_code(screen_picture(app, t)) for t in tiles]
        result["screen"] = {"first": first, "second": second, "std": std}

        # tile 0's hostile name: the bar strip above its presented picture shows exactly the name bar Qt draws for
        # the name as its characters (display_text: markup and templates as text, the override marked)
        tile = tiles[0]
        matches, std = strip_on_screen(app, tile._bar_strip)
        result["hostile_name"] = {"caption": tile.caption(), "expected": display_text(HOSTILE_NAME),
                                  "direct": tile.direct, "strip_visible": tile._bar_strip.isVisible(),
                                  "screen_matches": matches, "strip_std": std}  # fmt: skip

        # every picture counted, few sent to the client
        readers = [t.reader for t in tiles]
        seq0 = [r.seq for r in readers]
        frames0 = [r.stats().frames for r in readers]
        presented0 = [t.frames_presented for t in tiles]
        painted0 = [t.frames_painted for t in tiles]
        pump(3.0)
        result["counts_3s"] = {
            "published": [r.seq - s for r, s in zip(readers, seq0, strict=True)],
            "frames": [r.stats().frames - f for r, f in zip(readers, frames0, strict=True)],
            "presented": [t.frames_presented - p for t, p in zip(tiles, presented0, strict=True)],
            "painted": [t.frames_painted - p for t, p in zip(tiles, painted0, strict=True)],
            "fps": [round(r.stats().fps, 1) for r in readers],
            "receive_to_paint_ms": [t.latency.receive_to_paint_ms for t in tiles],
        }

        # a real mouse (XTest) on 直显 tiles: a click selects, a double click maximises and back, a drag swaps
        mouse = XInput()

        def centre_of(tile: TileView) -> QPoint:
            return tile.mapToGlobal(QPoint(tile.width() // 2, tile.height() // 2))

        def click(tile: TileView, times: int = 1) -> None:
            mouse.move(centre_of(tile))
            pump(0.2)
            for _ in range(times):
                mouse.left_button(True)
                mouse.left_button(False)
                pump(0.05)
            pump(0.4)

        pointer = {"direct": [t.direct for t in tiles]}
        dragged = to_array(tiles[0].grab().toImage())
        h, w = dragged.shape[:2]  # its middle: the picture, not a black box under the name bar
        pointer["drag_picture_std"] = float(dragged[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4].std())
        click(tiles[1])
        pointer["selected"] = wall.selected_index
        click(tiles[1], 2)
        pointer["maximised"] = wall.maximized_index
        click(tiles[1], 2)
        pointer["restored"] = wall.maximized_index
        before = [c.id if c else None for c in wall.cameras()[:4]]
        start, target = centre_of(tiles[0]), centre_of(tiles[2])
        mouse.move(start)
        pump(0.2)
        # the moves and the release are timed from here: once the drag starts, Qt runs its own event loop until
        # the button is released, and this code waits inside it
        for step in range(1, 11):  # past the drag distance, then onto tile 2
            point = QPoint(start.x() + (target.x() - start.x()) * step // 10,
                           start.y() + (target.y() - start.y()) * step // 10)  # fmt: skip
            QTimer.singleShot(100 + 60 * step, lambda point=point: mouse.move(point))
        QTimer.singleShot(1100, lambda: mouse.left_button(False))
        mouse.left_button(True)
        pump(2.0)
        after = [c.id if c else None for c in wall.cameras()[:4]]
        pointer["swapped"] = after == [before[2], before[1], before[0], before[3]]
        pointer["cameras"] = [before, after]
        wall.model.arrange("4", [cameras[i] for i in range(4)])  # as it was, for the steps below
        pointer["direct_again"] = pump(8, lambda: all(t.direct for t in tiles))
        result["pointer"] = pointer

        # the wall moved into another top-level window (as a dock floated out is): the surfaces go with it (Qt
        # re-parents their windows, or makes new ones and the decoder is given them), and the screen shows the
        # streams in the new window
        windows = [int(t._surface.winId()) for t in tiles]
        holder = QWidget()
        holder.setWindowTitle("wall moved")
        holder.resize(1280, 720)
        wall.setParent(holder)
        wall.move(0, 0)
        holder.show()
        wall.show()
        pump(1.0)
        moved = {"direct": pump(10, lambda: all(t.direct for t in tiles))}
        moved["new_windows"] = [int(t._surface.winId()) != w for t, w in zip(tiles, windows, strict=True)]
        moved["still_direct"] = [t.direct for t in tiles]
        first = [read_index_code(screen_picture(app, t)) for t in tiles]
        pump(0.7)
        moved["screen"] = [first, [read_index_code(screen_picture(app, t)) for t in tiles]]
        result["moved"] = moved

        # tile 1's surface given a new native window by Qt (WinIdChange): the decoder puts into the new one
        surface = tiles[1]._surface
        old_window = int(surface.winId())
        surface.destroy()
        surface.create()
        surface.show()
        recreated = {"new_window": int(surface.winId()) != old_window}
        recreated["direct"] = pump(5, lambda: tiles[1].direct and tiles[1].reader.presentation is not None
                                   and tiles[1].reader.presentation["window"] == int(surface.winId()))  # fmt: skip
        pump(1.0)
        first = read_index_code(screen_picture(app, tiles[1]))
        pump(0.7)
        recreated["screen"] = [first, read_index_code(screen_picture(app, tiles[1]))]
        recreated["still_direct"] = tiles[1].direct
        result["recreated"] = recreated
        top = holder  # keeps the window alive for the steps below

        # the wheel zooms tile 0: Qt paints it at once; reset: 直显 again
        tile = tiles[0]
        centre = QPointF(tile.width() / 2, tile.height() / 2)
        wheel = QWheelEvent(centre, tile.mapToGlobal(centre), QPoint(), QPoint(0, 240), Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)  # fmt: skip
        QApplication.sendEvent(tile, wheel)
        zoom = {"direct_after_wheel": tile.direct, "zoomed": tile.zoom.active}
        painted = tile.frames_painted
        pump(1.0)
        zoom["painted_1s"] = tile.frames_painted - painted
        zoom["still_painted"] = not tile.direct
        tile.reset_zoom()
        zoom["direct_again"] = pump(3, lambda: tile.direct)
        result["zoom"] = zoom

        # the stream overlay on tile 1
        tile = tiles[1]
        tile.set_show_info(True)
        info = {"direct_with_info": tile.direct}
        pump(0.5)
        info["still_painted"] = not tile.direct
        tile.set_show_info(False)
        info["direct_again"] = pump(3, lambda: tile.direct)
        result["info"] = info

        # the overload policy turns tile 0 down: the caption above its presented picture says 降帧 at once
        tile = tiles[0]
        before = tile._corner_strip.width()
        tile.set_degrade(Degrade.KEY_FRAMES)
        result["degrade"] = {"direct": tile.direct, "caption": tile.corner_caption(),
                             "wider_at_once": tile._corner_strip.width() > before}  # fmt: skip
        pump(0.3)  # the strips placed again reach the screen: the hostile name's bar and the 降帧 caption as painted
        result["degrade"]["bar_on_screen"] = strip_on_screen(app, tile._bar_strip)[0]
        result["degrade"]["caption_on_screen"] = strip_on_screen(app, tile._corner_strip)[0]
        tile.set_degrade(Degrade.NONE)

        # the same camera in tiles 1 and 2: neither is 直显 (one stream, one window); then tile 2 as before
        wall.play(cameras[1], 2)
        twice = {"direct": pump(2, lambda: not tiles[1].direct and not tiles[2].direct)}
        twice["same_reader"] = tiles[1].reader is tiles[2].reader
        wall.play(cameras[2], 2)
        twice["direct_again"] = pump(8, lambda: tiles[1].direct and tiles[2].direct)
        result["twice"] = twice

        # a snapshot of a 直显 tile: the stream's own resolution
        wall.snapshot_dir = folder / "snapshots"
        future = wall.snapshot(0)
        path = future.result(timeout=10) if future is not None else None
        result["snapshot"] = {"path": str(path) if path else None, "direct": tiles[0].direct}
        if path is not None:
            import cv2

            picture = cv2.imread(str(path))
            result["snapshot"]["shape"] = None if picture is None else list(picture.shape)

        # tile 0 maximised and back: the hidden tiles stop 直显, come back without a stream reopened
        opens = [backend.streams.opens(c.id, "sub") for c in cameras[:3]]
        wall.toggle_maximized(0)
        pump(1.0)
        layout = {"hidden_direct": [t.direct for t in tiles[1:]],
                  "hidden_presentation": [t.reader.presentation is not None for t in tiles[1:]],
                  "maximised_direct": tiles[0].direct,
                  "maximised_size": list(tiles[0].reader.presentation["size"]) if tiles[0].direct else None,
                  "wall_size": [wall.width(), wall.height()]}  # fmt: skip
        wall.toggle_maximized(0)
        layout["direct_again"] = pump(8, lambda: all(t.direct for t in tiles))
        layout["reopened"] = [backend.streams.opens(c.id, "sub") - o for c, o in zip(cameras[:3], opens, strict=True)]
        result["layout"] = layout

        # five times: the wall cleared and the cameras arranged again, 直显 each time; then cleared: the decoder
        # holds no window's memory, connection or stream any more
        cycles = []
        for _ in range(5):
            wall.model.clear_all()
            pump(0.5)
            wall.model.arrange("4", [*cameras[:3], cameras[4]])
            cycles.append(pump(15, lambda: all(t.direct for t in tiles)))
            pump(0.3)
        playing = decoder_state(host)
        wall.model.clear_all()
        cleared = pump(10, lambda: decoder_state(host) == idle)
        result["cycles"] = {"direct": cycles, "idle": idle, "playing": playing, "cleared": decoder_state(host),
                            "back_to_idle": cleared}  # fmt: skip
        wall.model.arrange("4", cameras[:4])
        pump(15, lambda: all(t.direct for t in tiles))

        # the relay cut: tile 3 stops, is painted by Qt (its last picture, dimmed)
        tile = tiles[3]
        painted = tile.frames_painted
        relay.cut()
        stall = {"left_direct": pump(8, lambda: not tile.direct)}
        pump(0.3)
        stall["badge"] = tile.badge()
        stall["painted"] = tile.frames_painted - painted
        stall["others_direct"] = [t.direct for t in tiles[:3]]
        result["stall"] = stall

        # tile 2's window destroyed by another X client while the decoder puts pictures into it
        tile = tiles[2]
        decoder = host.pid
        window = int(tile._surface.winId())
        other = Display(os.environ["DISPLAY"])
        try:
            other.destroy_window(window)
        finally:
            other.close()
        gone = {"left_direct": pump(5, lambda: not tile.direct)}
        painted = tile.frames_painted
        pump(1.0)
        gone["painted_1s"] = tile.frames_painted - painted
        gone["stays_painted"] = not tile.direct
        gone["others_direct"] = [t.direct for t in tiles[:2]]
        gone["decoder_same"] = host.pid == decoder
        gone["badge"] = tile.badge()
        result["window_gone"] = gone
        del top
        return result
    finally:
        wall.shutdown()
        pool.stop_all(10)
        host.close()
        if relay is not None:
            relay.shutdown()
            relay.server_close()
        backend.stop()


if __name__ == "__main__":
    try:
        outcome = main()
    except Exception:
        outcome = {"error": traceback.format_exc()}
    print("RESULT " + json.dumps(outcome), flush=True)
    os._exit(0)  # the backend's and readers' threads need not be waited for
