"""Wall benchmark: N = 4, 9, 16, 25, 36 tiles of the exercise H.264 sub streams (640×360, 25 fps, MPEG-TS over
HTTP, stream copy: the server does not re-encode), three ways side by side in one run:

- ``bare``: N threads of ``cv2.VideoCapture`` + ``read()``, nothing else (the CPU baseline);
- ``reader``: N PyAV :class:`StreamReader` s polled every 10 ms (the latency baseline: decode, no GUI);
- ``wall``: the real :class:`WallView` (offscreen Qt, 1920×1080) with its pool, tiles, painting and overload
  policy, the cameras placed as a preset would; decoding on threads of this process, in a decoder process with Qt
  painting, or (``--xvfb``) in a decoder process that puts the pictures into the tiles' X windows (直显). With
  ``--xvfb`` the wall is on an Xvfb of its own and the X server's CPU counts as the wall's, in every mode.

Per row: time from "show these cameras" to every tile live; CPU of this process ÷ CPU of the bare loops over a
window of the same length; displayed frames per second per tile (mean, min); frames the readers dropped
(decoded but replaced before the GUI took them); latency from the frame index burned into the picture (the
server records when it sent each index) to the moment the wall took the frame for painting, p50/p95, and what
the wall adds over the bare reader; the GUI thread's own CPU (its share of the wall's: what painting and the
tiles' bookkeeping cost beside decoding; also per painted frame, which the load on the machine moves less) and
its worst stall (a refresh tick late); tiles turned down by the overload policy at the end. ``--profile``
prints where the GUI thread's time went (cProfile of the largest wall's window, by own time). Then the 36-tile
wall keeps playing for ``--soak`` seconds: RSS at the start of the run, once 36 tiles play, and after the
soak. The exercise backend runs in its own process: its CPU is not counted.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_wall.py [--tiles 4 9 16 25 36]
[--seconds 8] [--soak 60] [--profile] [--no-overload] [--xvfb --decode process direct]``
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import psutil  # noqa: E402
import requests  # noqa: E402
from exercise_backend import (  # noqa: E402  (this script's folder)
    end_cleanly_on_signals,
    online_h264_cameras,
    start_backend,
    stop_process,
)
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from virtual_display import start_xvfb  # noqa: E402

from commandwall.demo.media import CODE_H, CODE_Y, read_index_code  # noqa: E402
from commandwall.domain.models import Camera  # noqa: E402
from commandwall.ui.wall import WallView  # noqa: E402
from commandwall.ui.wall.direct import DIRECT_VIDEO_ENV  # noqa: E402
from commandwall.ui.wall.frame_wake import frame_wake  # noqa: E402
from commandwall.video.decode_host import DecodeHost  # noqa: E402
from commandwall.video.overload import Degrade, OverloadPolicy, OverloadThresholds  # noqa: E402
from commandwall.video.pool import ReaderPool  # noqa: E402
from commandwall.video.reader import StreamReader, StreamState  # noqa: E402


def sent_times(base: str, cameras: list[str]) -> tuple[dict[str, list[float]], float]:
    """Per camera, when the server last sent each loop index (Unix time); and the loop's period, s."""
    answers = {c: requests.get(f"{base}/streams/{c}/sub.sent", timeout=5).json() for c in cameras}
    periods = {a["frames"] / a["fps"] for a in answers.values()}
    return {c: a["sent_at"] for c, a in answers.items()}, periods.pop() if periods else 0.0


def rss_mb() -> float:
    """Resident memory of this process, MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def decoder_rss_mb(host: DecodeHost | None) -> float:
    """Resident memory of the decoder process, MB (0 without one)."""
    pid = host.pid if host is not None else None
    try:
        return psutil.Process(pid).memory_info().rss / 2**20 if pid is not None else 0.0
    except psutil.Error:
        return 0.0


#: the Xvfb the wall draws on with ``--xvfb`` (its CPU is the wall's: it copies every picture into the screen)
XVFB_PID: int | None = None


def process_cpu(pid: int | None) -> float:
    """CPU seconds process ``pid`` has used (0 for None or a process that is gone)."""
    if pid is None:
        return 0.0
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    return times.user + times.system


def decoder_cpu(host: DecodeHost | None) -> float:
    """CPU seconds the decoder process (0 without one) and the X server (``--xvfb``) have used."""
    return process_cpu(host.pid if host is not None else None) + process_cpu(XVFB_PID)


def quantiles(values: list[float]) -> tuple[float, float]:
    """(p50, p95), NaN with fewer than 20 values."""
    if len(values) < 20:
        return float("nan"), float("nan")
    q = statistics.quantiles(values, n=20)
    return q[9], q[18]


def latencies(shown: list[tuple[str, int, float]], sent: tuple[dict[str, list[float]], float]) -> list[float]:
    """Milliseconds from the server sending each index to its pick-up (only indexes the server sent).

    The server notes when it last sent each index of its looping clip, and the window is read after it ends: an
    index shown early in the window may have been sent again since (one loop later). Each loop index is sent
    on a fixed clock (the clip's period apart), so the send before the pick-up is the last one, a whole number of
    periods earlier."""
    times, period = sent
    out = []
    for c, i, at in shown:
        if i < len(times[c]) and times[c][i] > 0:
            when = times[c][i]
            while period > 0 and when > at:
                when -= period
            out.append((at - when) * 1000)
    return sorted(out)


def run_bare(urls: list[str], seconds: float) -> dict[str, float]:
    """N threads of ``cv2.VideoCapture`` + ``read()``: CPU share and fps over the window."""
    stop, counts = threading.Event(), [0] * len(urls)
    opened = threading.Barrier(len(urls) + 1)

    def loop(i: int, url: str) -> None:
        cap = cv2.VideoCapture(url, cv2.CAP_FFMPEG)
        opened.wait()
        while not stop.is_set() and cap.read()[0]:
            counts[i] += 1
        cap.release()

    threads = [threading.Thread(target=loop, args=(i, u)) for i, u in enumerate(urls)]
    for t in threads:
        t.start()
    opened.wait()
    time.sleep(1.0)
    c0, cpu0, t0 = list(counts), time.process_time(), time.monotonic()
    time.sleep(seconds)
    cpu, wall = time.process_time() - cpu0, time.monotonic() - t0
    stop.set()
    for t in threads:
        t.join(10)
    return {"cpu": cpu / wall, "fps": statistics.mean((c - b) / wall for c, b in zip(counts, c0, strict=True))}


def run_readers(base: str, cameras: list[Camera], seconds: float) -> dict[str, float]:
    """N PyAV readers polled as a wall timer would: time to live, CPU, fps, latency."""
    started = time.monotonic()
    readers = [StreamReader(c.streams.sub, camera_id=c.id).start() for c in cameras]
    try:
        wait_for(lambda: all(r.state is StreamState.LIVE for r in readers), 60)
        to_live = time.monotonic() - started
        time.sleep(1.0)
        offset, seen, shown = time.time() - time.monotonic(), [0] * len(readers), []
        frames0, dropped0 = [r.stats().frames for r in readers], sum(r.stats().dropped for r in readers)
        cpu0, t0 = time.process_time(), time.monotonic()
        while time.monotonic() - t0 < seconds:
            for i, reader in enumerate(readers):
                frame = reader.latest()
                if frame is not None and frame.seq != seen[i]:
                    seen[i] = frame.seq
                    index = read_index_code(frame.image)
                    if index is not None:
                        shown.append((cameras[i].id, index, time.monotonic() + offset))
            time.sleep(0.01)
        cpu, wall = time.process_time() - cpu0, time.monotonic() - t0
        fps = [(r.stats().frames - f0) / wall for r, f0 in zip(readers, frames0, strict=True)]
        dropped = sum(r.stats().dropped for r in readers) - dropped0
        sent = sent_times(base, [c.id for c in cameras])
    finally:
        for r in readers:
            r.stop(timeout_s=0)
        for r in readers:
            r.join(10)
    p50, p95 = quantiles(latencies(shown, sent))
    return {"to_live": to_live, "cpu": cpu / wall, "fps": statistics.mean(fps), "fps_min": min(fps),
            "dropped": dropped, "p50": p50, "p95": p95}  # fmt: skip


def pump(app: QApplication, seconds: float, until: Callable[[], bool] | None = None) -> bool:
    """Run the Qt event loop for ``seconds`` (or until ``until()`` holds, looked at every 20 ms) as the
    application does: blocked in ``exec`` between events. (Polling ``processEvents`` in a loop kept the GUI
    thread busy and holding the interpreter lock, which the readers then waited for, and counted in the wall's
    CPU.)"""
    loop = QEventLoop()
    deadline = time.monotonic() + seconds

    def look() -> None:
        if (until is not None and until()) or time.monotonic() >= deadline:
            loop.quit()

    poll = QTimer(interval=20, timeout=look)
    poll.start()
    loop.exec()
    poll.stop()
    return until is None or until()


def wait_for(predicate: Callable[[], bool], timeout_s: float) -> bool:
    """Poll every 5 ms until ``predicate`` holds or the time is up."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()


def run_wall(app: QApplication, wall: WallView, base: str, cameras: list[Camera], seconds: float,
             soak: float = 0.0, profile: bool = False, overload: bool = True) -> dict[str, float]:  # fmt: skip
    """The real wall: arrange the cameras, time to all live, then a window of painting; optionally a soak."""
    layout = {4: "4", 9: "9", 16: "16", 25: "25", 36: "36"}[len(cameras)]
    # each row starts with nothing turned down; without the policy every tile plays every frame (the cost of
    # the wall itself, beside the bare loops, not hidden by tiles turned down to key frames)
    never = OverloadThresholds(tick_budget_ms=1e9, drop_ratio=1e9, behind_share=1e9, max_age_s=1e9)
    wall.overload.policy = OverloadPolicy() if overload else OverloadPolicy(never)
    started = time.monotonic()
    wall.model.arrange(layout, cameras)
    pump(app, 60, lambda: all(t.state_text() == "直播" for t in wall.tiles()))
    to_live = time.monotonic() - started
    pump(app, 1.0)
    offset = time.time() - time.monotonic()
    shown: list[tuple[str, int, float]] = []
    taken: list[tuple[str, np.ndarray, tuple[int, int], float]] = []
    seen: dict[int, object] = {}

    def note_frames() -> None:  # runs right after the wall's own frame wake-up or refresh tick
        # only the rows with the index code are copied now (reading it on the GUI thread, every frame of every
        # tile, was a tenth of that thread's time at 36 tiles): read after the window. Whole rows, all four
        # bytes of each pixel: one contiguous copy (leaving the fourth byte out made it a strided copy, 0.2 ms a
        # picture, a quarter of the GUI thread's time at 16 tiles, counted as the wall's)
        now = time.monotonic() + offset
        for tile in wall.tiles():
            frame = tile.frame
            if frame is not None and seen.get(tile.index) is not frame and tile.camera is not None:
                seen[tile.index] = frame
                height, width = frame.image.shape[:2]
                rows = slice(int(height * CODE_Y) - 1, int(height * (CODE_Y + CODE_H)) + 2)
                # 直显: the picture was put into the window when the decoder says (this is a copy sent after it)
                at = frame.presented[-1][1] if frame.presented else now
                taken.append((tile.camera.id, frame.image[rows].copy(), (height, width), at))

    def read_taken() -> None:
        for camera_id, strip, (height, width), at in taken:
            picture = np.zeros((height, width, 3), np.uint8)
            picture[int(height * CODE_Y) - 1 : int(height * CODE_Y) - 1 + strip.shape[0]] = strip[..., :3]
            index = read_index_code(picture)
            if index is not None:
                shown.append((camera_id, index, at))

    wall._timer.timeout.connect(note_frames)
    frame_wake().sig_frames.connect(note_frames)  # connected after the wall's: it sees the frames just taken
    wakes0 = frame_wake().wakes
    readers = {t.reader for t in wall.tiles()}
    frames0 = [t.frames_painted + t.frames_presented for t in wall.tiles()]
    dropped0 = sum(r.stats().dropped for r in readers if r is not None)
    wall.overload.stall_max_ms = 0.0
    profiler = cProfile.Profile() if profile else None
    host = wall._pool.decode_host
    dec0, gui0, t0 = decoder_cpu(host), time.thread_time(), time.monotonic()
    x0 = process_cpu(XVFB_PID)
    cpu0 = time.process_time() + dec0
    if profiler is not None:
        profiler.enable()
    pump(app, seconds)
    if profiler is not None:
        profiler.disable()
    dec = decoder_cpu(host)
    xserver = process_cpu(XVFB_PID) - x0
    cpu, dec = time.process_time() + dec - cpu0, dec - dec0
    gui, span = time.thread_time() - gui0, time.monotonic() - t0
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        print(f"GUI thread profile, {len(cameras)} tiles:\n{out.getvalue()}", file=sys.stderr)
    fps = [(t.frames_painted + t.frames_presented - f0) / span for t, f0 in zip(wall.tiles(), frames0, strict=True)]
    readers = {t.reader for t in wall.tiles()}
    dropped = sum(r.stats().dropped for r in readers if r is not None) - dropped0
    sent = sent_times(base, [c.id for c in cameras])
    stall = wall.overload.stall_max_ms
    painted = sum(t.frames_painted + t.frames_presented - f0 for t, f0 in zip(wall.tiles(), frames0, strict=True))
    result = {"to_live": to_live, "cpu": cpu / span, "decoder": (dec - xserver) / span, "gui": gui / span,
              "xserver": xserver / span,
              "gui_ms": 1000 * gui / max(1, painted),
              "fps": statistics.mean(fps),
              "fps_min": min(fps),
              "dropped": dropped, "stall": stall,
              "degraded": sum(t.degrade is not Degrade.NONE for t in wall.tiles()),
              "direct": sum(t.direct for t in wall.tiles())}  # fmt: skip
    result["wakes"] = (frame_wake().wakes - wakes0) / span
    wall._timer.timeout.disconnect(note_frames)
    frame_wake().sig_frames.disconnect(note_frames)
    read_taken()
    taken.clear()  # the strips (tens of MB at 36 tiles) are not the wall's memory
    result["p50"], result["p95"] = quantiles(latencies(shown, sent))
    if soak > 0:
        result["rss_open"] = rss_mb() + decoder_rss_mb(host)
        pump(app, soak)
        result["rss_soak"] = rss_mb() + decoder_rss_mb(host)
    wall.model.clear_all()
    pump(app, 1.0)
    return result


def main() -> int:
    """Run every N, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, nargs="+", default=[4, 9, 16, 25, 36])
    parser.add_argument("--seconds", type=float, default=8.0, help="measuring window per row")
    parser.add_argument("--soak", type=float, default=60.0, help="seconds the largest wall keeps playing for RSS")
    parser.add_argument("--profile", action="store_true", help="cProfile the GUI thread in the largest wall's window")
    parser.add_argument("--no-overload", action="store_true", help="the overload policy never turns a tile down")
    parser.add_argument("--decode", nargs="+", choices=("thread", "process", "direct"),
                        default=["thread", "process"],
                        help="where the wall decodes: on threads of this process, in a decoder process (Qt paints), "
                             "in a decoder process that puts the pictures into the tiles' X windows (直显; needs "
                             "--xvfb), side by side; default: thread and process")
    parser.add_argument("--xvfb", action="store_true",
                        help="the wall on X11 in an Xvfb of its own (not offscreen); its CPU counts as the wall's")
    parser.add_argument("--no-wake", action="store_true",
                        help="tiles take frames only at the wall's 40 ms refresh tick (as before the frame wake-up)")
    args = parser.parse_args()
    global XVFB_PID
    end_cleanly_on_signals()
    if "direct" in args.decode and not args.xvfb:
        parser.error("--decode direct needs --xvfb (the pictures go into X windows)")
    xvfb = proc = None
    walls: dict[str, tuple[ReaderPool, WallView]] = {}
    rows = []
    try:
        if args.xvfb:
            xvfb, display = start_xvfb(1920, 1080)
            XVFB_PID = xvfb.pid
            os.environ.update(QT_QPA_PLATFORM="xcb", DISPLAY=display)
        app = QApplication.instance() or QApplication(sys.argv)
        rss_start = rss_mb()
        proc, base = start_backend()
        for mode in args.decode:
            host = DecodeHost() if mode in ("process", "direct") else None
            if host is not None:
                host.start()  # as the client does at start-up (DecodeHost.start_soon): ready before the first stream
            pool = ReaderPool(decode_host=host)
            wall = WallView(pool, tile_count=4)
            if args.no_wake:
                frame_wake().sig_frames.disconnect(wall._take_frames)
            wall.resize(1920, 1080)
            walls[mode] = (pool, wall)
        cameras_all = online_h264_cameras(base, max(args.tiles))
        for n in args.tiles:
            cams = cameras_all[:n]
            bare = run_bare([c.streams.sub for c in cams], args.seconds)
            reader = run_readers(base, cams, args.seconds)
            last = n == max(args.tiles)
            for mode, (_pool, wall) in walls.items():
                os.environ[DIRECT_VIDEO_ENV] = "1" if mode == "direct" else "0"
                wall.show()
                shown = run_wall(app, wall, base, cams, args.seconds, args.soak if last else 0.0,
                                 args.profile and last, not args.no_overload)  # fmt: skip
                wall.hide()
                rows.append((n, mode, bare, reader, shown))
                print(f"  N={n} decoding in {mode}: done", file=sys.stderr)
    finally:
        for pool, wall in walls.values():
            wall.shutdown()
            pool.stop_all(10)
        if proc is not None:
            stop_process(proc)
        if xvfb is not None:
            stop_process(xvfb)
    surface = "Xvfb 1920x1080 (its CPU counted as the wall's)" if args.xvfb else "offscreen Qt wall 1920x1080"
    print(f"{cv2.getNumberOfCPUs()} CPUs; H.264 640x360 25 fps, MPEG-TS over HTTP on 127.0.0.1 (stream copy); "
          f"{args.seconds:.0f} s windows; {surface} (its CPU includes the decoder process's)")
    head = ("tiles", "decoding in", "to live s (reader/wall)", "CPU % bare", "CPU % readers", "CPU % wall",
            "ratio wall/bare", "CPU % decoder process", "CPU % X server", "fps/tile (min)",
            "dropped/s", "lat p50/p95 ms reader", "lat p50/p95 ms wall", "added p50/p95 ms", "GUI thread CPU %",
            "GUI ms/painted frame", "GUI max stall ms", "降帧 tiles", "frame wake-ups/s", "直显 tiles")  # fmt: skip
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for n, mode, bare, r, w in rows:
        cells = [str(n), mode, f"{r['to_live']:.2f} / {w['to_live']:.2f}", f"{100 * bare['cpu']:.0f}",
                 f"{100 * r['cpu']:.0f}", f"{100 * w['cpu']:.0f}", f"{w['cpu'] / bare['cpu']:.2f}",
                 f"{100 * w['decoder']:.0f}" if mode != "thread" else "–",
                 f"{100 * w['xserver']:.1f}" if args.xvfb else "–",
                 f"{w['fps']:.1f} ({w['fps_min']:.1f})",
                 f"{w['dropped'] / args.seconds:.1f}", f"{r['p50']:.0f} / {r['p95']:.0f}",
                 f"{w['p50']:.0f} / {w['p95']:.0f}", f"{w['p50'] - r['p50']:.0f} / {w['p95'] - r['p95']:.0f}",
                 f"{100 * w['gui']:.0f}", f"{w['gui_ms']:.2f}", f"{w['stall']:.0f}", str(w["degraded"]),
                 f"{w['wakes']:.0f}", str(w["direct"])]  # fmt: skip
        print("| " + " | ".join(cells) + " |")
    groups: dict[tuple[int, str], list[tuple[float, float]]] = {}
    for n, mode, bare, _r, w in rows:
        groups.setdefault((n, mode), []).append(((w["cpu"] - w["xserver"]) / bare["cpu"], w["cpu"] / bare["cpu"]))
    for (n, mode), ratios in groups.items():
        if len(ratios) > 1:  # the same N asked for more than once: rounds, each beside its own bare loops
            print(f"{n} tiles, {mode}: CPU ÷ bare, median of {len(ratios)} rounds: "
                  f"{statistics.median(r[0] for r in ratios):.2f} for the client and decoder processes, "
                  f"{statistics.median(r[1] for r in ratios):.2f} with the X server "
                  f"(rounds: {', '.join(f'{a:.2f}/{b:.2f}' for a, b in ratios)})")  # fmt: skip
    for n, mode, _bare, _r, w in rows:
        if "rss_open" in w:
            print(f"RSS ({mode}, decoder process included): {rss_start:.0f} MB at start, {w['rss_open']:.0f} MB "
                  f"with {n} tiles playing, {w['rss_soak']:.0f} MB after {args.soak:.0f} s more")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
