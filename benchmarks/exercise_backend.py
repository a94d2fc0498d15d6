"""The exercise backend for the video benchmarks, in its own process (its CPU is not counted), and the cameras
they play; no Qt here, so that benchmarks without a GUI can use it too."""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from commandwall.demo import viewer  # noqa: E402
from commandwall.domain.models import Camera  # noqa: E402

#: How long the backend may take to answer its health check.
BACKEND_START_S = 60.0


def start_backend() -> tuple[subprocess.Popen[bytes], str]:
    """The exercise backend in its own process on a free port; returns (process, base URL). Exits with a message
    when it does not answer within :data:`BACKEND_START_S`."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "commandwall", "demo-server", "--port", str(port), "--rate", "0"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    atexit.register(stop_process, proc)  # also when the script ends by a signal (end_cleanly_on_signals)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + BACKEND_START_S
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if requests.get(f"{base}/api/v1/health", timeout=1).ok:
                return proc, base
        except requests.ConnectionError:
            time.sleep(0.2)
    stop_process(proc)
    raise SystemExit(f"the exercise backend did not start within {BACKEND_START_S:g} s")


def end_cleanly_on_signals() -> None:
    """Make SIGTERM and SIGHUP (``timeout``, a closed terminal) end the script by an exception, as Ctrl+C does,
    rather than at once: the processes it started (the backend, Xvfb) are stopped on the way out (``finally``
    blocks, and the exit handlers :func:`start_backend` and ``start_xvfb`` register: an exception raised inside a
    Qt slot ends the script without unwinding the code that called the event loop)."""

    def end(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, end)


def stop_process(proc: subprocess.Popen[bytes], timeout_s: float = 10.0) -> None:
    """Terminate ``proc`` (the caller started it), kill it if it has not ended within ``timeout_s``."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout_s)


def online_h264_cameras(base: str, count: int) -> list[Camera]:
    """``count`` online H.264 cameras of the exercise (:func:`commandwall.demo.viewer.online_h264_cameras`); exits
    with a message when there are fewer."""
    try:
        return viewer.online_h264_cameras(base, count)
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
