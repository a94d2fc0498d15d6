"""Video benchmarks, side by side in one run; prints numbers and ratios.

1. Consumer lag with a slow consumer (~8 frames/s) on a live 25 fps MJPEG stream over HTTP on 127.0.0.1:
   our newest-frame slot (:class:`StreamReader`) against a bounded blocking queue (the vidgear way).
   Lag = how old the picture is when the consumer takes it, read from the frame index drawn into every
   frame by the test camera.
2. Per-frame cost on the GUI thread of BGR → QImage → paint in a 480×270 tile (a 4×4 wall on 1080p) for a
   sub (640×360) and a main (1280×720) stream, plus the JPEG decode the reader thread pays for each.

Run: ``.venv/bin/python benchmarks/bench_video.py [--seconds 8]``
"""

from __future__ import annotations

import argparse
import os
import queue
import statistics
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the test camera lives in tests/

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from commandwall.video.reader import Frame, StreamReader, StreamState, StreamStats  # noqa: E402
from tests.unit.test_video_mjpeg import MjpegServer, decode_index, draw_frame  # noqa: E402

SLOW_CONSUMER_WORK_S = 0.12  # ~8 frames/s of "work" per frame against a 25 fps stream
QUEUE_SIZE = 32


def _open(url: str) -> cv2.VideoCapture:
    params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, 5000, cv2.CAP_PROP_READ_TIMEOUT_MSEC, 5000]
    return cv2.VideoCapture(url, cv2.CAP_FFMPEG, params)


class QueueReader:
    """The pattern we do not use: a capture thread that blocks on a bounded queue of frames."""

    def __init__(self, url: str, maxsize: int) -> None:
        self.frames: queue.Queue[np.ndarray] = queue.Queue(maxsize=maxsize)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(url,), daemon=True)
        self._thread.start()

    def _run(self, url: str) -> None:
        cap = _open(url)
        try:
            while not self._stop.is_set():
                ok, image = cap.read()
                if not ok:
                    return
                while not self._stop.is_set():  # block while full, as a bounded queue does
                    try:
                        self.frames.put(image, timeout=0.1)
                        break
                    except queue.Full:
                        continue
        finally:
            cap.release()

    def stop(self) -> None:
        """End the thread."""
        self._stop.set()
        self._thread.join(6.0)


def _consume(take, server: MjpegServer, seconds: float, lags: list[tuple[float, float]]) -> None:  # type: ignore[no-untyped-def]
    """Take frames for ``seconds`` with slow work on each; record (elapsed, lag_s)."""
    start = time.monotonic()
    last: object = None
    while (elapsed := time.monotonic() - start) < seconds:
        image = take()
        if image is None or image is last:
            time.sleep(0.005)
            continue
        last = image
        drawn_at = server.t0 + decode_index(image) / server.fps  # when the server drew this picture
        lag = time.monotonic() - drawn_at
        lags.append((elapsed, lag))
        time.sleep(SLOW_CONSUMER_WORK_S)


def bench_lag(seconds: float) -> dict[str, float]:
    """Run the slot and the queue consumers at the same time on two streams of one camera."""
    server = MjpegServer(fps=25).start()
    slot_reader = StreamReader(server.url("slot.mjpg")).start()
    queue_reader = QueueReader(server.url("queue.mjpg"), QUEUE_SIZE)

    def take_slot() -> np.ndarray | None:
        frame = slot_reader.latest()
        return frame.image if frame else None

    def take_queue() -> np.ndarray | None:
        try:
            return queue_reader.frames.get(timeout=0.5)
        except queue.Empty:
            return None

    slot_lags: list[tuple[float, float]] = []
    queue_lags: list[tuple[float, float]] = []
    workers = [threading.Thread(target=_consume, args=(take_slot, server, seconds, slot_lags)),
               threading.Thread(target=_consume, args=(take_queue, server, seconds, queue_lags))]  # fmt: skip
    for w in workers:
        w.start()
    for w in workers:
        w.join(seconds + 10)
    stats = slot_reader.stats()
    slot_reader.stop()
    queue_reader.stop()
    server.stop()

    def tail(lags: list[tuple[float, float]]) -> float:
        late = [lag for t, lag in lags if t >= seconds - 2.0] or [lag for _, lag in lags]
        return statistics.mean(late)

    result = {
        "slot_lag_end_s": tail(slot_lags),
        "slot_lag_max_s": max(lag for _, lag in slot_lags),
        "queue_lag_end_s": tail(queue_lags),
        "queue_lag_max_s": max(lag for _, lag in queue_lags),
        "slot_taken": len(slot_lags),
        "queue_taken": len(queue_lags),
        "slot_frames": stats.frames,
        "slot_dropped": stats.dropped,
    }
    print(f"\n== consumer lag: 25 fps stream, consumer busy {SLOW_CONSUMER_WORK_S * 1000:.0f} ms/frame, "
          f"{seconds:.0f} s ==")  # fmt: skip
    print(f"  newest-frame slot : lag at end {result['slot_lag_end_s'] * 1000:7.0f} ms, "
          f"max {result['slot_lag_max_s'] * 1000:7.0f} ms, took {len(slot_lags)} frames, "
          f"dropped {stats.dropped} of {stats.frames} (counted)")  # fmt: skip
    print(f"  bounded queue({QUEUE_SIZE}) : lag at end {result['queue_lag_end_s'] * 1000:7.0f} ms, "
          f"max {result['queue_lag_max_s'] * 1000:7.0f} ms, took {len(queue_lags)} frames, "
          "dropped 0 (the backlog is the delay)")  # fmt: skip
    ratio = result["queue_lag_end_s"] / max(result["slot_lag_end_s"], 1e-3)
    print(f"  ratio queue/slot lag at end: {ratio:.1f}x")
    result["lag_ratio"] = ratio
    return result


class _CyclingSource:
    """A FrameSource that hands out a new Frame (new seq) on every call, from a few prepared pictures."""

    def __init__(self, images: list[np.ndarray]) -> None:
        self._images = images
        self._seq = 0

    def latest(self) -> Frame:
        self._seq += 1
        return Frame(self._images[self._seq % len(self._images)], self._seq, time.monotonic())

    def stats(self) -> StreamStats:
        h, w = self._images[0].shape[:2]
        return StreamStats(StreamState.LIVE, 25.0, self._seq, 0, 0, time.monotonic(), (w, h))


def bench_paint(frames: int) -> dict[str, float]:
    """GUI-thread cost per new frame: refresh() (QImage wrap) + synchronous repaint of a 480×270 tile."""
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication

    from commandwall.domain.models import Camera, StreamUrls
    from commandwall.ui.wall.tile import TileView

    app = QApplication.instance() or QApplication([])
    cam = Camera(id="CAM-0001", name="临城街道·光明大道与泰山路口", lon=117.26, lat=34.79,
                 streams=StreamUrls(main="http://x/main.mjpg", sub="http://x/sub.mjpg"))  # fmt: skip
    result: dict[str, float] = {}
    print(f"\n== per-frame cost, 480×270 tile, {frames} frames each ==")
    for kind, (w, h) in (("sub", (640, 360)), ("main", (1280, 720))):
        images = [draw_frame(i * 7, w, h, kind) for i in range(8)]
        jpegs = [cv2.imencode(".jpg", img)[1] for img in images]
        t = time.perf_counter()
        for i in range(frames):
            cv2.imdecode(jpegs[i % len(jpegs)], cv2.IMREAD_COLOR)
        decode_ms = (time.perf_counter() - t) / frames * 1000

        t = time.perf_counter()
        for i in range(frames):
            img = images[i % len(images)]
            QImage(img.data, w, h, img.strides[0], QImage.Format.Format_BGR888)
        wrap_ms = (time.perf_counter() - t) / frames * 1000

        tile = TileView(0)
        tile.resize(480, 270)
        tile.show()
        app.processEvents()
        source = _CyclingSource(images)
        tile.show_stream(cam, source, kind, f"http://x/{kind}.mjpg")  # type: ignore[arg-type]
        for _ in range(10):  # warm up
            tile.refresh()
            tile.repaint()
        t = time.perf_counter()
        for _ in range(frames):
            tile.refresh()
            tile.repaint()
        paint_ms = (time.perf_counter() - t) / frames * 1000
        tile.close()
        tile.deleteLater()
        app.processEvents()
        result[f"{kind}_decode_ms"] = decode_ms
        result[f"{kind}_wrap_ms"] = wrap_ms
        result[f"{kind}_paint_ms"] = paint_ms
        print(f"  {kind:4s} {w}×{h}: JPEG decode {decode_ms:6.2f} ms (reader thread) | QImage wrap "
              f"{wrap_ms * 1000:5.1f} µs | refresh+paint {paint_ms:6.2f} ms (GUI thread)")  # fmt: skip
    for key in ("decode", "paint"):
        ratio = result[f"main_{key}_ms"] / result[f"sub_{key}_ms"]
        result[f"{key}_ratio"] = ratio
        print(f"  ratio main/sub {key}: {ratio:.1f}x")
    budget = 1000 / 25
    print(f"  16 tiles at 25 fps: {16 * result['sub_paint_ms']:.1f} ms of GUI time per {budget:.0f} ms tick "
          f"on sub streams, {16 * result['main_paint_ms']:.1f} ms on main")  # fmt: skip
    return result


def main() -> None:
    """Run both benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="length of the lag run")
    parser.add_argument("--frames", type=int, default=200, help="frames per paint measurement")
    args = parser.parse_args()
    print(f"cv2 {cv2.__version__}, numpy {np.__version__}, {os.cpu_count()} cores")
    bench_lag(args.seconds)
    bench_paint(args.frames)


if __name__ == "__main__":
    main()
