"""Presentation benchmark: what putting the decoded pictures on screen costs beside the bare loops, with no GUI
toolkit and no GPU. N tiles (default 16, each 480×270: a 4×4 wall on 1920×1080) of the exercise H.264 sub
streams (640×360, 25 fps, MPEG-TS over HTTP, stream copy), each configuration in a worker process of its own
(its CPU is that process's), the configurations taking turns over ``--rounds`` windows each:

- ``bare``: N threads of ``cv2.VideoCapture`` + ``read()`` (decode and convert to BGR at 640×360; the baseline
  of ``bench_wall.py``);
- ``grab``: the same with ``grab()``: OpenCV's decoding alone, no conversion;
- ``decode``: N threads of the project's :class:`PyAvCapture`, asked through ``read_picture``'s ``convert`` not
  to convert any picture: its demuxing and decoding alone;
- ``decode+scale``: ``read_picture`` scaling each picture to the tile and converting it to BGRX
  (:class:`BgrxScaler`) into a numpy array, as the decoder process does into its ring;
- ``decode+scale+xshm``: the same written straight into an MIT-SHM image and put into the tile's own native child
  window of an Xvfb with ``XShmPutImage`` (then ``XSync``, before the next picture is written): the cheapest way
  to present the pictures without a GPU, by the decoding process itself, no copy after the conversion;
- ``decode+opencv+xshm``: as the last, the scaling and conversion through OpenCV instead of libyuv's exact 3/4
  (:mod:`commandwall.video.yuv`; what the wall did before, and does without libyuv);
- ``decode+nearest+xshm``: as ``decode+scale+xshm``, the planes scaled nearest-neighbour instead of bilinear (a cheaper
  picture, for scale);
- ``decoder-process``: the wall's own decoder process (:class:`DecodeHost`) putting each stream into its tile's
  window (直显), driven as the wall's readers drive it (``read_picture`` on a thread per stream, told of the
  pictures put twice a second); its CPU is the worker's plus the decoder process's: what the decoder process adds
  over ``decode+scale+xshm`` is its own (the streams' connections, their commands, what it tells the client).

The script starts its own Xvfb (``-displayfd``: the first free display number) and the exercise backend in its
own process, and stops both at the end; neither's CPU is counted in a configuration's, Xvfb's is shown apart.

Columns (medians over the rounds): CPU of the worker process, % of one core; its ratio to ``bare``'s; CPU ms per
frame (all tiles' frames in the window); frames per second per tile, mean (and the slowest tile of any round);
Xvfb's CPU, % of a core, over the same window; the busy share of the whole machine (all cores, % of one:
other work on the machine shows there); where measured, the reader threads' CPU per frame split into decoding
(demuxing and decoding, and whatever else the thread does), scaling + conversion (the scaler's own time) and the
put (``XShmPutImage`` + ``XSync``). Then every sample.

Run: ``.venv/bin/python benchmarks/bench_presentation.py [--rounds 3] [--seconds 15] [--tiles 16]
[--configs bare decode+scale+xshm ...]``
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import av  # noqa: E402
import cv2  # noqa: E402
import numpy as np  # noqa: E402
import psutil  # noqa: E402
from exercise_backend import (  # noqa: E402  (this script's folder)
    end_cleanly_on_signals,
    online_h264_cameras,
    start_backend,
    stop_process,
)
from virtual_display import start_xvfb  # noqa: E402

from commandwall.video.capture import (  # noqa: E402
    BgrxScaler,
    PyAvCapture,
    i420_buffer,
    i420_planes,
    opencv_convertible,
)
from commandwall.video.decode_host import DecodeHost  # noqa: E402

#: one tile of a 4×4 wall on a 1920×1080 screen (the 640×360 pictures fit it exactly at their aspect)
TILE = (480, 270)
CONFIGS = ("bare", "grab", "decode", "decode+scale", "decode+scale+xshm", "decode+opencv+xshm", "decode+nearest+xshm",
           "decoder-process")
#: at most 8×8 tiles (Xvfb's screen is made to hold them all: 3840×2160 then)
MAX_TILES = 64
#: how long a worker may take to have every tile playing, and to stop its threads
OPEN_S, STOP_S = 60.0, 10.0


class TimedScaler(BgrxScaler):
    """The project's :class:`BgrxScaler`, adding up the thread CPU time its conversions take (``cpu_s``)."""

    def __init__(self, *, use_libyuv: bool = True) -> None:
        super().__init__(use_libyuv=use_libyuv)
        self.cpu_s = 0.0

    def scale(self, frame: av.VideoFrame, size: tuple[int, int], out: np.ndarray | None = None) -> np.ndarray:
        """As :meth:`BgrxScaler.scale`, timed."""
        started = time.thread_time()
        try:
            return self.convert(frame, size, out)
        finally:
            self.cpu_s += time.thread_time() - started

    def convert(self, frame: av.VideoFrame, size: tuple[int, int], out: np.ndarray | None) -> np.ndarray:
        """The conversion itself: the project's."""
        return super().scale(frame, size, out)


class NearestScaler(TimedScaler):
    """As :class:`BgrxScaler` for camera pictures, but each plane scaled nearest-neighbour (no filtering) before
    OpenCV's I420 → BGRX conversion; other pictures go through the project's scaler unchanged."""

    def __init__(self) -> None:
        super().__init__(use_libyuv=False)
        self._nearest: dict[tuple[int, int], tuple[np.ndarray, tuple[np.ndarray, ...]]] = {}

    def convert(self, frame: av.VideoFrame, size: tuple[int, int], out: np.ndarray | None) -> np.ndarray:
        """Nearest-neighbour planes, then the colour conversion into ``out`` (or a new array)."""
        width, height = size
        if not (opencv_convertible(frame) and not width % 2 and not height % 2):
            return super().convert(frame, size, out)
        if size not in self._nearest:
            self._nearest = {size: i420_buffer(width, height)}
        i420, targets = self._nearest[size]
        for plane, target in zip(i420_planes(frame), targets, strict=True):
            cv2.resize(plane, (target.shape[1], target.shape[0]), dst=target, interpolation=cv2.INTER_NEAREST)
        if out is None:
            return cv2.cvtColor(i420, cv2.COLOR_YUV2BGRA_I420)
        cv2.cvtColor(i420, cv2.COLOR_YUV2BGRA_I420, dst=out)
        return out


class MeasuredCapture(PyAvCapture):
    """The project's :class:`PyAvCapture` with another scaler (a timed one, or a cheaper one)."""

    def __init__(self, url: str, io_timeout_s: float, scaler: BgrxScaler) -> None:
        super().__init__(url, io_timeout_s)
        # PyAvCapture takes no scaler of the caller's: its private attribute is the only way to give it one
        self._scaler = scaler


# ---------------------------------------------------------------------------------------------------- the driver


def check_shm(display: str) -> None:
    """Exit with a message unless ``display`` has MIT-SHM and attaches this machine's shared memory."""
    from commandwall.video import x11present as x11shm

    try:
        dpy = x11shm.Display(display)
        try:
            x11shm.ShmImage(dpy, 16, 16)
        finally:
            dpy.close()
    except x11shm.X11Error as exc:
        raise SystemExit(f"no MIT-SHM presentation: {exc}") from None


def online_h264_urls(base: str, count: int) -> list[str]:
    """The sub streams of ``count`` online cameras whose sub stream is H.264 MPEG-TS (exits with a message when
    there are fewer)."""
    return [camera.streams.sub for camera in online_h264_cameras(base, count)]


def grid(tiles: int) -> tuple[int, int]:
    """(columns, rows) of a square-ish wall of ``tiles``."""
    cols = math.ceil(math.sqrt(tiles))
    return cols, math.ceil(tiles / cols)


def run_worker(config: str, urls: list[str], seconds: float, display: str, xvfb_pid: int) -> dict[str, Any]:
    """One window of ``config`` in a worker process; its result, or ``{"error": ...}``."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", config, "--seconds", str(seconds),
               "--display", display, "--xvfb-pid", str(xvfb_pid), *urls]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + OPEN_S + STOP_S + 30)
    except subprocess.TimeoutExpired:
        return {"error": "the worker did not finish in time (killed)"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"error": f"no result (exit {done.returncode}): {done.stderr.strip()[-600:]}"}
    return json.loads(lines[-1])


def median(samples: list[dict[str, Any]], key: str) -> float:
    """The median of ``key`` over ``samples``."""
    return statistics.median(float(s[key]) for s in samples)


def print_table(results: dict[str, list[dict[str, Any]]], args: argparse.Namespace) -> None:
    """The table of medians and every sample."""
    bare = median(results["bare"], "cpu") if results.get("bare") else float("nan")
    print(f"{args.tiles} tiles of {TILE[0]}x{TILE[1]}, H.264 640x360 25 fps MPEG-TS over HTTP on 127.0.0.1; "
          f"{psutil.cpu_count()} CPUs; {args.rounds} rounds of {args.seconds:g} s windows, configurations taking "
          f"turns; medians")  # fmt: skip
    head = ("config", "CPU % of a core", "ratio to bare", "ms CPU/frame", "fps/tile (min)", "Xvfb CPU %",
            "machine busy %", "ms/frame decode / scale+convert / put")  # fmt: skip
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for config, samples in results.items():
        if not samples:
            print(f"| {config} | no sample |" + " – |" * (len(head) - 2))
            continue
        cpu = median(samples, "cpu")
        stages = "–"
        if "stage_ms" in samples[0]:
            split = [statistics.median(s["stage_ms"][j] for s in samples) for j in range(3)]
            stages = " / ".join("–" if math.isnan(v) else f"{v:.2f}" for v in split)
        fps_min = min(s["fps_min"] for s in samples)
        cells = [config, f"{100 * cpu:.1f}", f"{cpu / bare:.2f}", f"{median(samples, 'ms_per_frame'):.2f}",
                 f"{median(samples, 'fps'):.1f} ({fps_min:.1f})", f"{100 * median(samples, 'xvfb'):.1f}",
                 f"{100 * median(samples, 'machine_busy'):.0f}", stages]  # fmt: skip
        print("| " + " | ".join(cells) + " |")
    print("Samples, CPU % of a core (ratio to the same round's bare):")
    bare_by_round = {s["round"]: s["cpu"] for s in results.get("bare", [])}
    for config, samples in results.items():
        cells = [f"{100 * s['cpu']:.1f}" + (f" ({s['cpu'] / bare_by_round[s['round']]:.2f})"
                                            if s["round"] in bare_by_round else "") for s in samples]  # fmt: skip
        print(f"- {config}: " + ", ".join(cells))


def main() -> int:
    """Start Xvfb and the backend, run the configurations in turn, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="windows per configuration, taking turns")
    parser.add_argument("--seconds", type=float, default=15.0, help="measuring window")
    parser.add_argument("--tiles", type=int, default=16)
    parser.add_argument("--configs", nargs="+", choices=CONFIGS, default=list(CONFIGS))
    parser.add_argument("--worker", choices=CONFIGS, help=argparse.SUPPRESS)
    parser.add_argument("--display", default="", help=argparse.SUPPRESS)
    parser.add_argument("--xvfb-pid", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("urls", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.urls, args.seconds, args.display, args.xvfb_pid)
    if not 1 <= args.tiles <= MAX_TILES or args.rounds < 1 or args.seconds <= 0:
        parser.error(f"--tiles must be 1 to {MAX_TILES}, --rounds and --seconds positive")
    cols, rows = grid(args.tiles)
    end_cleanly_on_signals()
    xvfb, display = start_xvfb(max(1920, cols * TILE[0]), max(1080, rows * TILE[1]))
    backend = None
    results: dict[str, list[dict[str, Any]]] = {c: [] for c in args.configs}
    try:
        print(f"Xvfb {display} (PID {xvfb.pid})", file=sys.stderr, flush=True)
        check_shm(display)
        backend, base = start_backend()
        print(f"exercise backend {base} (PID {backend.pid})", file=sys.stderr, flush=True)
        urls = online_h264_urls(base, args.tiles)
        for round_ in range(args.rounds):
            for config in args.configs:
                result = run_worker(config, urls, args.seconds, display, xvfb.pid)
                if "error" in result:
                    print(f"round {round_ + 1} {config}: {result['error']}", file=sys.stderr, flush=True)
                    continue
                result["round"] = round_
                results[config].append(result)
                print(f"round {round_ + 1} {config}: CPU {100 * result['cpu']:.1f} %, {result['fps']:.1f} fps/tile",
                      file=sys.stderr, flush=True)  # fmt: skip
    finally:
        if backend is not None:
            stop_process(backend)
        stop_process(xvfb)
    print_table(results, args)
    return 0 if all(results.values()) else 1


# ---------------------------------------------------------------------------------------------------- the worker


def worker(config: str, urls: list[str], seconds: float, display: str, xvfb_pid: int) -> int:
    """One configuration over one window, in this process: prints one JSON line (or ``{"error": ...}``)."""
    n = len(urls)
    stop = threading.Event()
    counts = [0] * n
    tids = [0] * n  # native thread ids, for their CPU times
    put_s = [0.0] * n  # per tile, thread CPU seconds in XShmPutImage + XSync
    scalers: list[TimedScaler | None] = [None] * n
    errors: list[str] = []
    windows: list[int] = []
    if config.endswith("xshm") or config == "decoder-process":
        from commandwall.video import x11present as x11shm

        try:
            main_display = x11shm.Display(display)
            windows = main_display.tile_windows(*grid(n), *TILE)
        except x11shm.X11Error as exc:
            print(json.dumps({"error": str(exc)}), flush=True)
            return 1

    def opencv_loop(i: int) -> None:
        tids[i] = threading.get_native_id()
        cap = cv2.VideoCapture(urls[i], cv2.CAP_FFMPEG)
        step: Callable[[], tuple[bool, object]] = cap.read if config == "bare" else lambda: (cap.grab(), None)
        while not stop.is_set() and step()[0]:
            counts[i] += 1
        if not stop.is_set():
            errors.append(f"tile {i}: the stream ended")
        cap.release()

    def pyav_loop(i: int) -> None:
        tids[i] = threading.get_native_id()
        try:
            scaler = NearestScaler() if "nearest" in config else TimedScaler(use_libyuv="opencv" not in config)
            scalers[i] = scaler
            cap = MeasuredCapture(urls[i], 10.0, scaler)
        except Exception as exc:  # any failure to open is this tile's error
            errors.append(f"tile {i}: {type(exc).__name__}: {exc}")
            return
        try:
            if config == "decode":
                decode_only(i, cap)
            elif config.endswith("xshm"):
                present(i, cap)
            else:
                buffer = np.empty((TILE[1], TILE[0], 4), np.uint8)
                into = lambda shape: buffer if shape == buffer.shape else None  # noqa: E731
                while not stop.is_set() and cap.read_picture(TILE, into=into) is not None:
                    counts[i] += 1
            if not stop.is_set():
                errors.append(f"tile {i}: the stream ended")
        except Exception as exc:  # reported, not raised on a thread nobody joins for it
            errors.append(f"tile {i}: {type(exc).__name__}: {exc}")
        finally:
            cap.close()

    def decode_only(i: int, cap: MeasuredCapture) -> None:
        def convert() -> bool:  # asked after each decoded picture: False decodes the next without converting it
            counts[i] += 1
            return stop.is_set()

        while not stop.is_set() and cap.read_picture(TILE, convert=convert) is not None:
            pass  # a picture converted after all: the stream is paced (it never is here), or the window is over

    def present(i: int, cap: MeasuredCapture) -> None:
        dpy = x11shm.Display(display)
        try:
            gc = dpy.create_gc(windows[i])
            image = x11shm.ShmImage(dpy, *TILE)
            into = lambda shape: image.array if shape == image.array.shape else None  # noqa: E731
            while not stop.is_set():
                picture = cap.read_picture(TILE, into=into)
                if picture is None:
                    break
                started = time.thread_time()
                if picture.image is not image.array:  # another size: copied in (not with these streams)
                    image.array[: picture.image.shape[0], : picture.image.shape[1]] = picture.image
                image.put(windows[i], gc)
                dpy.sync()  # the server has read the picture: the next one may be written into the image
                put_s[i] += time.thread_time() - started
                counts[i] += 1
        finally:
            dpy.close()

    host: DecodeHost | None = None

    def decoder_loop(i: int) -> None:
        tids[i] = threading.get_native_id()
        try:
            cap = host.open(urls[i], decoder="pyav", open_timeout_s=10.0, read_timeout_s=10.0)
        except OSError as exc:
            errors.append(f"tile {i}: {exc}")
            return

        def presented(items: list) -> None:
            counts[i] += len(items)

        try:
            cap.on_presented = presented
            cap.set_presentation({"display": display, "window": windows[i], "size": TILE})
            while not stop.is_set():
                picture = cap.read_picture(TILE)  # one a half second: the pictures put are told with it
                if picture is None:
                    errors.append(f"tile {i}: the stream ended")
                    break
                del picture  # let go at once: its ring slot goes back to the decoder
        except OSError as exc:
            errors.append(f"tile {i}: {exc}")
        finally:
            cap.close()

    if config == "decoder-process":
        host = DecodeHost()
        host.start()
        loop = decoder_loop
    else:
        loop = opencv_loop if config in ("bare", "grab") else pyav_loop
    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + OPEN_S
    while time.monotonic() < deadline and not all(counts) and not errors:
        time.sleep(0.05)
    if errors or not all(counts):
        print(json.dumps({"error": "; ".join(errors[:3]) or f"not every tile played within {OPEN_S:g} s"}),
              flush=True)  # fmt: skip
        os._exit(1)
    time.sleep(2.0)  # past the first pictures and the first key frames
    me = psutil.Process()
    xvfb = psutil.Process(xvfb_pid) if xvfb_pid else None
    decoder = psutil.Process(host.pid) if host is not None and host.pid else None

    def decoder_cpu() -> float:
        if decoder is None:
            return 0.0
        times = decoder.cpu_times()
        return times.user + times.system

    def snapshot() -> tuple[float, float, float, float, list[int], list[float], list[float], list[float]]:
        """Clock, process CPU (and the decoder process's), Xvfb CPU, machine busy time, frames per tile, and per
        tile its thread's CPU, its scaler's and its puts' (seconds)."""
        threads_cpu = {t.id: t.user_time + t.system_time for t in me.threads()}
        x = xvfb.cpu_times() if xvfb is not None else None
        machine = psutil.cpu_times()
        busy = machine.user + machine.nice + machine.system + machine.irq + machine.softirq + machine.steal
        xs = (x.user + x.system) if x is not None else 0.0
        return (time.monotonic(), time.process_time() + decoder_cpu(), xs, busy,
                list(counts), [threads_cpu.get(tid, 0.0) for tid in tids],
                [s.cpu_s if s is not None else 0.0 for s in scalers], list(put_s))  # fmt: skip

    t0, cpu0, x0, busy0, counts0, thread0, scale0, put0 = snapshot()
    time.sleep(seconds)
    t1, cpu1, x1, busy1, counts1, thread1, scale1, put1 = snapshot()
    span = t1 - t0
    frames = [b - a for a, b in zip(counts0, counts1, strict=True)]
    total = max(1, sum(frames))
    result: dict[str, Any] = {
        "config": config, "cpu": (cpu1 - cpu0) / span, "ms_per_frame": 1000 * (cpu1 - cpu0) / total,
        "fps": sum(frames) / n / span, "fps_min": min(frames) / span, "xvfb": (x1 - x0) / span,
        "machine_busy": (busy1 - busy0) / span, "errors": errors[:3],
    }  # fmt: skip
    if loop is pyav_loop:
        thread_s = sum(thread1) - sum(thread0)
        scale = sum(scale1) - sum(scale0)
        put = sum(put1) - sum(put0)
        xshm = config.endswith("xshm")
        result["stage_ms"] = [1000 * (thread_s - scale - put) / total,
                              1000 * scale / total if config != "decode" else float("nan"),
                              1000 * put / total if xshm else float("nan")]  # fmt: skip
    print(json.dumps(result), flush=True)
    stop.set()
    for t in threads:
        t.join(STOP_S / n)
    if host is not None:
        host.kill()  # its streams end with it
    # the threads end after their next picture; one stuck in a read (bounded by its timeout) is not waited for:
    # the process ends at once (the X server frees its windows and shared memory with the connection)
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main())
