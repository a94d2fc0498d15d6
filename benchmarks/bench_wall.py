"""Wall benchmark: N tiles of the exercise H.264 sub stream (640×360, 25 fps, MPEG-TS over HTTP, stream copy),
the old reader (OpenCV's FFmpeg backend) and the new one (PyAV) side by side in one run, against N bare
decode loops (``cv2.VideoCapture`` + ``read()`` in N threads, nothing else).

Per N and reader: time from starting the readers to every tile live; CPU of this process ÷ CPU of the bare
loops over the same window; frames per second per tile (mean, min); latency from the frame index burned
into the picture to the decoded frame (the server records when it sent each index), p50/p95. The exercise
backend runs in its own process, so its CPU is not counted (its own CPU per stream is printed too).
With GStreamer's RTSP server installed (``scripts/system-deps.sh``) the same runs over RTSP/TCP
(``tests/rtsp_server.py``: live H.264, encoded once per mount and shared; no latency there: no index).

Run: ``.venv/bin/python benchmarks/bench_wall.py [--tiles 4 9 16] [--seconds 6]``
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import requests  # noqa: E402

from commandwall.demo.media import read_index_code  # noqa: E402
from commandwall.demo.seed import stream_codec  # noqa: E402
from commandwall.video.reader import StreamReader, StreamState  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def start_backend() -> tuple[subprocess.Popen[bytes], str]:
    """The exercise backend in its own process on a free port; returns (process, base URL)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "commandwall", "demo-server", "--port", str(port), "--rate", "0"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/api/v1/health", timeout=1).ok:
                return proc, base
        except requests.ConnectionError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the exercise backend did not start")


def wait_for(predicate: Callable[[], bool], timeout_s: float) -> bool:
    """Poll every 5 ms until ``predicate`` holds or the time is up."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()


def sent_times(base: str, cameras: list[str]) -> dict[str, list[float]]:
    """Per camera, when the server last sent each loop index (Unix time)."""
    return {c: requests.get(f"{base}/streams/{c}/sub.sent", timeout=5).json()["sent_at"] for c in cameras}


def start_rtsp() -> tuple[subprocess.Popen[str] | None, str]:
    """GStreamer's RTSP server (tests/rtsp_server.py) through the system Python, or (None, why not)."""
    if not Path("/usr/bin/python3").exists():
        return None, "no /usr/bin/python3"
    proc = subprocess.Popen(["/usr/bin/python3", str(ROOT / "tests" / "rtsp_server.py")], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    line = proc.stdout.readline().strip() if proc.stdout else ""
    if not line.startswith("READY "):
        proc.kill()
        proc.wait(5)
        return None, f"RTSP server unavailable ({line or 'GStreamer bindings missing'})"
    return proc, f"rtsp://127.0.0.1:{line.split()[1]}/h264"


def run_readers(base: str, cameras: list[str], decoder: str, seconds: float, url: str = "") -> dict[str, float]:
    """N StreamReaders (of ``url`` if given, else of each camera's sub stream): time to all live, then a
    window polling them as the wall's timer does."""
    started = time.monotonic()
    urls = [url or f"{base}/streams/{c}/sub.ts" for c in cameras]
    readers = [StreamReader(u, decoder=decoder, camera_id=c).start() for u, c in zip(urls, cameras, strict=True)]
    try:
        live = wait_for(lambda: all(r.state is StreamState.LIVE for r in readers), 60)
        to_live = time.monotonic() - started if live else float("nan")
        time.sleep(1.0)  # let the opening burst pass
        offset = time.time() - time.monotonic()
        seen = [0] * len(readers)
        shown: list[tuple[int, int, float]] = []  # (tile, index, decoded at, Unix time)
        frames0 = [r.stats().frames for r in readers]
        cpu0, t0 = time.process_time(), time.monotonic()
        while time.monotonic() - t0 < seconds:
            for i, reader in enumerate(readers):
                frame = reader.latest()
                if frame is not None and frame.seq != seen[i]:
                    seen[i] = frame.seq
                    index = read_index_code(frame.image)
                    if index is not None:
                        shown.append((i, index, frame.captured_at + offset))
            time.sleep(0.01)  # the wall's paint timer polls at a similar rate
        cpu, wall = time.process_time() - cpu0, time.monotonic() - t0
        fps = [(r.stats().frames - f0) / wall for r, f0 in zip(readers, frames0, strict=True)]
        sent = {} if url else sent_times(base, cameras)
    finally:
        for r in readers:
            r.stop(timeout_s=0)
        for r in readers:
            r.join(10)
    latencies = [] if url else sorted(
        (at - sent[cameras[i]][index]) * 1000 for i, index, at in shown if sent[cameras[i]][index] > 0
    )
    q = statistics.quantiles(latencies, n=20) if len(latencies) >= 20 else [float("nan")] * 19
    return {"to_live": to_live, "cpu": cpu / wall, "fps": statistics.mean(fps), "fps_min": min(fps),
            "p50": q[9], "p95": q[18]}  # fmt: skip


def run_bare(base: str, cameras: list[str], seconds: float, url: str = "") -> dict[str, float]:
    """N threads of ``cv2.VideoCapture`` + ``read()``, nothing else: CPU over the same kind of window."""
    stop = threading.Event()
    counts = [0] * len(cameras)
    opened = threading.Barrier(len(cameras) + 1)

    def loop(i: int, url: str) -> None:
        cap = cv2.VideoCapture(url, cv2.CAP_FFMPEG)
        opened.wait()
        while not stop.is_set() and cap.read()[0]:
            counts[i] += 1
        cap.release()

    urls = [url or f"{base}/streams/{c}/sub.ts" for c in cameras]
    threads = [threading.Thread(target=loop, args=(i, u)) for i, u in enumerate(urls)]
    for t in threads:
        t.start()
    opened.wait()
    time.sleep(1.0)
    c0, cpu0, t0 = list(counts), time.process_time(), time.monotonic()
    time.sleep(seconds)
    cpu, wall = time.process_time() - cpu0, time.monotonic() - t0
    fps = [(c - b) / wall for c, b in zip(counts, c0, strict=True)]
    stop.set()
    for t in threads:
        t.join(10)
    return {"cpu": cpu / wall, "fps": statistics.mean(fps)}


def main() -> int:
    """Run every N, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, nargs="+", default=[4, 9, 16])
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args()
    proc, base = start_backend()
    rtsp, rtsp_url = start_rtsp()
    if rtsp is None:
        print(f"RTSP rows skipped: {rtsp_url}", file=sys.stderr)
    cameras_all = [f"CAM-{i:04d}" for i in range(1, 200) if stream_codec(f"CAM-{i:04d}") == "h264"]
    rows = []
    try:
        for n in args.tiles:
            cams = cameras_all[:n]
            bare = run_bare(base, cams, args.seconds)
            for decoder in ("opencv", "pyav"):
                server0, t0 = proc_cpu_s(proc.pid), time.monotonic()
                r = run_readers(base, cams, decoder, args.seconds)
                server = (proc_cpu_s(proc.pid) - server0) / (time.monotonic() - t0)
                rows.append((n, decoder, r, bare, server, "http-ts"))
                print(f"  N={n} {decoder}: done", file=sys.stderr)
            if rtsp is not None:
                bare = run_bare(base, cams, args.seconds, rtsp_url)
                for decoder in ("opencv", "pyav"):
                    server0, t0 = proc_cpu_s(rtsp.pid), time.monotonic()
                    r = run_readers(base, cams, decoder, args.seconds, rtsp_url)
                    server = (proc_cpu_s(rtsp.pid) - server0) / (time.monotonic() - t0)
                    rows.append((n, decoder, r, bare, server, "rtsp"))
    finally:
        proc.terminate()
        proc.wait(10)
        if rtsp is not None and rtsp.stdin:
            rtsp.stdin.close()
            rtsp.wait(10)
    print(f"{cv2.getNumberOfCPUs()} CPUs; H.264 640x360 25 fps on 127.0.0.1 (exercise MPEG-TS/HTTP, RTSP); "
          f"{args.seconds:.0f} s windows")  # fmt: skip
    head = ("tiles", "stream", "reader", "to live s", "CPU %", "bare CPU %", "ratio", "fps/tile", "min fps",
            "lat p50 ms", "lat p95 ms", "server CPU %")  # fmt: skip
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    for n, decoder, r, bare, server, kind in rows:
        cells = [str(n), kind, decoder, f"{r['to_live']:.2f}", f"{100 * r['cpu']:.0f}", f"{100 * bare['cpu']:.0f}",
                 f"{r['cpu'] / bare['cpu']:.2f}", f"{r['fps']:.1f}", f"{r['fps_min']:.1f}", f"{r['p50']:.0f}",
                 f"{r['p95']:.0f}", f"{100 * server:.0f}"]  # fmt: skip
        print(" | ".join(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
