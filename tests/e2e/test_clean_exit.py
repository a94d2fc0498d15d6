"""Twenty-one starts and stops of the whole client under Xvfb against a separate, still-streaming platform.

The platform is one ``commandwall demo-server`` process for all cycles (its own database and data folder);
each cycle is one ``commandwall screenshot`` run with live video on the wall, which connects, draws, grabs
and exits. Every exit status must be 0: a stream thread left inside OpenCV while the interpreter finalises
ends in "FATAL: exception not rethrown" and status 134, in a few exits out of ten.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.xvfb import xvfb_display

pytestmark = pytest.mark.e2e

# a fault in a few exits of ten shows in twenty-one all but surely (three in ten: 0.7**21 < 0.1 %; two: 0.8**21 ≈ 1 %)
CYCLES = 21
BATCH = 7  # cycles per test (one platform and display for all): each test stays well under a minute
CYCLE_TIMEOUT_S = 120


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_health(url: str, proc: subprocess.Popen, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"demo-server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/api/v1/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    raise RuntimeError("demo-server did not answer its health check")


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A separate exercise platform process, streaming all along (one for every cycle); yields its base URL."""
    folder = tmp_path_factory.mktemp("platform")
    port = _free_port()
    env = {**os.environ, "COMMANDWALL_DATA_DIR": str(folder)}
    with (folder / "server.log").open("wb") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "commandwall", "demo-server", "--port", str(port),
             "--db", str(folder / "exercise.sqlite3")],
            env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_for_health(url, proc)
            yield url
            assert proc.poll() is None, "the platform process died during the cycles"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """One virtual display for every cycle."""
    with xvfb_display(1920, 1080) as name:
        yield name


@pytest.fixture(scope="module")
def client_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The client's data folder, the same for every cycle: each exit must free its lock for the next start."""
    return tmp_path_factory.mktemp("client")


@pytest.mark.timeout(BATCH * CYCLE_TIMEOUT_S)
@pytest.mark.parametrize("batch", range(CYCLES // BATCH))
def test_starts_and_stops_with_live_video_all_exit_0(
    batch: int, platform: str, display: str, client_dir: Path, tmp_path: Path
) -> None:
    """Cycles ``batch*BATCH`` … of twenty-one in a row: each plays video on the wall and exits with status 0, and
    no thread is left behind at exit (the last-resort exit path for a stuck thread is not taken either)."""
    env = {
        **os.environ,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "COMMANDWALL_DATA_DIR": str(client_dir),
        "COMMANDWALL_USERNAME": "duty",
        "COMMANDWALL_PASSWORD": "duty",
        "COMMANDWALL_LOG_LEVEL": "INFO",
    }
    failures: list[str] = []
    without_video: list[int] = []
    durations: list[float] = []
    for cycle in range(batch * BATCH, (batch + 1) * BATCH):
        started = time.monotonic()
        # captured (and exited) as soon as the four tiles are live: the exit comes with every stream playing
        proc = subprocess.run(
            [sys.executable, "-m", "commandwall", "screenshot", "--backend", platform, "--user", "duty",
             "--tiles", "4", "--out", str(tmp_path / "shots"), "--when-ready", "--after", "5", "--timeout", "60"],
            env=env, capture_output=True, text=True, timeout=CYCLE_TIMEOUT_S,
        )  # fmt: skip
        durations.append(time.monotonic() - started)
        log = proc.stderr
        if proc.returncode != 0 or "FATAL" in log or "still running after shutdown" in log:
            failures.append(f"cycle {cycle}: exit status {proc.returncode}\n{log[-1500:]}")
        if ": live" not in log:  # the abort needs streams playing while the client exits
            without_video.append(cycle)
    statuses = "\n\n".join(failures)
    assert not failures, f"{len(failures)} of {BATCH} exits were not clean:\n{statuses}"
    assert not without_video, f"cycles without live video: {without_video}"
    logged = (client_dir / "logs" / "commandwall.log").read_text("utf-8")  # the desk's own log file, too
    assert ": live" in logged and "still running after shutdown" not in logged, logged[-3000:]
    print(f"cycles {batch * BATCH}-{(batch + 1) * BATCH - 1}: {sum(durations):.0f} s, longest {max(durations):.1f} s")
