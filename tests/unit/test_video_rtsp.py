"""Stream readers against a real RTSP server on 127.0.0.1 (GStreamer's, started by the test) serving H.264
and H.265: frames arrive and change, over TCP (the default) and UDP; opens run in parallel."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from commandwall.video.capture import PyAvCapture
from commandwall.video.pool import ReaderPool
from commandwall.video.reader import StreamReader, StreamState
from commandwall.video.transport import RtspTransports
from tests.unit.test_video_reader import wait_until
from tests.unit.test_video_supervision import SilentServer

SYSTEM_PYTHON = "/usr/bin/python3"
SERVER = Path(__file__).resolve().parents[1] / "rtsp_server.py"


def _gstreamer_missing() -> str:
    if not shutil.which(SYSTEM_PYTHON):
        return f"{SYSTEM_PYTHON} is missing"
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('GstRtspServer', '1.0'); "
         "gi.require_version('GstRtsp', '1.0'); from gi.repository import GstRtsp, GstRtspServer"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    if probe.returncode:
        return "GStreamer's RTSP server bindings are not installed (scripts/system-deps.sh)"
    return ""


def _unavailable(reason: str) -> None:
    """Skip on a developer's machine; in CI (which installs GStreamer) a missing piece is a failure, so a
    missing install step cannot hide behind a green run."""
    if os.environ.get("CI"):
        pytest.fail(f"RTSP tests cannot run in CI: {reason}")
    pytest.skip(reason)


def start_rtsp_server(port: int = 0) -> tuple[subprocess.Popen[str], str]:
    """Start tests/rtsp_server.py (on ``port``; 0: any free one) and return the process and its base URL
    (rtsp://127.0.0.1:PORT); skips if GStreamer is unavailable. End it with :func:`stop_rtsp_server`."""
    reason = _gstreamer_missing()
    if reason:
        _unavailable(reason)
    proc = subprocess.Popen([SYSTEM_PYTHON, str(SERVER), "--port", str(port)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 30)
        line = proc.stdout.readline().strip() if ready and proc.stdout else ""
        if line.startswith("MISSING"):
            _unavailable(f"GStreamer elements missing: {line.removeprefix('MISSING ')}")
        assert line.startswith("READY "), f"the RTSP server did not start: {line!r}"
    except BaseException:
        stop_rtsp_server(proc)
        raise
    return proc, f"rtsp://127.0.0.1:{line.split()[1]}"


def stop_rtsp_server(proc: subprocess.Popen[str]) -> None:
    """End a server from :func:`start_rtsp_server` (stdin closed; terminated if it does not end)."""
    if proc.stdin:
        proc.stdin.close()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.terminate()
        proc.wait(5)
    if proc.stdout:
        proc.stdout.close()


@pytest.fixture
def rtsp() -> Iterator[str]:
    """A fresh RTSP server's base URL (rtsp://127.0.0.1:PORT) for each test; skips if GStreamer is unavailable.

    Not one per module: GStreamer 1.22's server can still abort (``gst_rtsp_media_get_rates: assertion failed``)
    when a client arrives just as the previous test's last client leaves a shared stream, even with its streams
    held prepared (2 of 9 module runs, at the switch from the TCP to the UDP tests); a server per test has no
    previous test's clients."""
    proc, url = start_rtsp_server()
    try:
        yield url
    finally:
        stop_rtsp_server(proc)


@pytest.mark.parametrize(("path", "codec"), [("h264", "h264"), ("h265", "hevc")])
@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_rtsp_h264_h265_decode_and_change(rtsp: str, path: str, codec: str, transport: str) -> None:
    capture = PyAvCapture(f"{rtsp}/{path}", 10.0, rtsp_transport=transport)
    try:
        assert capture.codec == codec
        first = capture.read()
        for _ in range(12):
            later = capture.read()
    finally:
        capture.close()
    assert first is not None and later is not None and first.shape == (360, 640, 3)
    assert np.abs(first.astype(int) - later.astype(int)).mean() > 0.5, "the picture moves"


def test_rtsp_readers_open_in_parallel_while_a_camera_never_answers(rtsp: str) -> None:
    """A camera that takes the connection and never answers DESCRIBE holds its open for its whole timeout (8 s
    here); eight RTSP tiles opened meanwhile are live well before it gives up. (Eight local opens one after
    another take under 2 s: only a stalled open shows whether they wait for one another.)"""
    silent = SilentServer().start()
    dead = StreamReader(f"rtsp://127.0.0.1:{silent.port}/dead", open_timeout_s=8.0, read_timeout_s=8.0).start()
    readers: list[StreamReader] = []
    try:
        assert wait_until(lambda: silent.accepted >= 1, 5.0), "the dead camera's open should be under way"
        started = time.monotonic()
        readers = [StreamReader(f"{rtsp}/{'h264' if i % 2 else 'h265'}").start() for i in range(8)]
        assert wait_until(lambda: all(r.state is StreamState.LIVE for r in readers), 6.0), [
            r.stats() for r in readers
        ]
        elapsed = time.monotonic() - started
        assert dead.state is StreamState.CONNECTING and dead.latest() is None
    finally:
        for r in (dead, *readers):
            r.stop(timeout_s=0)
        for r in (dead, *readers):
            assert r.join(10.0)
        silent.stop()
    assert elapsed < 6.0, f"8 RTSP tiles took {elapsed:.1f} s beside a camera that never answers"


def udp_sockets() -> int:
    """UDP sockets this process holds (FFmpeg's RTP/RTCP ports when RTSP runs over UDP)."""
    udp = set()
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        with open(table) as rows:
            udp |= {row.split()[9] for row in list(rows)[1:]}
    held = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        held += target.startswith("socket:[") and target[8:-1] in udp
    return held


def test_udp_per_camera_reaches_ffmpeg_and_plays(rtsp: str, tmp_path: Path) -> None:
    (tmp_path / "rtsp_transport.json").write_text('{"CAM-UDP": "udp", "CAM-BAD": "quic", "CAM-TCP": "tcp"}')
    transports = RtspTransports.load(tmp_path)
    assert [transports.transport(c) for c in ("CAM-UDP", "CAM-BAD", "CAM-TCP", "CAM-NEW")] == [
        "udp", "tcp", "tcp", "tcp"
    ], "a bad entry is left out, unnamed cameras use TCP"
    pool = ReaderPool(transport_for=transports.transport)
    try:
        before = udp_sockets()
        tcp = pool.acquire(f"{rtsp}/h264", "CAM-TCP")
        assert wait_until(lambda: tcp.state is StreamState.LIVE, 20.0), tcp.stats()
        assert tcp.rtsp_transport == "tcp" and udp_sockets() == before, "TCP: interleaved, no UDP port"
        udp = pool.acquire(f"{rtsp}/h265", "CAM-UDP")
        assert wait_until(lambda: udp.state is StreamState.LIVE, 20.0), udp.stats()
        assert udp.rtsp_transport == "udp"
        assert udp_sockets() >= before + 2, "UDP: FFmpeg holds RTP and RTCP ports"
        seq = udp.seq
        assert wait_until(lambda: udp.seq > seq + 10, 10.0), "frames keep arriving over UDP"
    finally:
        assert pool.stop_all(timeout_s=10.0)


def test_bad_transport_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown RTSP transport 'quic'"):
        StreamReader("rtsp://127.0.0.1:9/x", rtsp_transport="quic")
    for junk in ("[1, 2", "[" * 100_000, '["CAM-1"]', " " * (300 * 1024)):
        (tmp_path / "rtsp_transport.json").write_text(junk)
        assert RtspTransports.load(tmp_path).transport("CAM-1") == "tcp", "an unusable file: every camera on TCP"


def test_a_transport_choice_is_saved_and_read_back(tmp_path: Path) -> None:
    """The tile menu's choice outlives the client: UDP entries are written, TCP (the default) is dropped."""
    transports = RtspTransports.load(tmp_path / "data")
    transports.set("CAM-0007", "udp")
    transports.set("临城-1", "udp")
    transports.save()
    again = RtspTransports.load(tmp_path / "data")
    assert [again.transport(c) for c in ("CAM-0007", "临城-1", "CAM-0001")] == ["udp", "udp", "tcp"]
    again.set("CAM-0007", "tcp")
    again.save()
    assert json.loads((tmp_path / "data" / "rtsp_transport.json").read_text(encoding="utf-8")) == {"临城-1": "udp"}
    with pytest.raises(ValueError, match="unknown RTSP transport"):
        again.set("CAM-0007", "quic")
    RtspTransports().save()  # no folder: nothing to write, no error


def test_a_file_that_could_not_be_read_is_kept_beside_not_written_over(tmp_path: Path) -> None:
    """Four cameras on UDP and one comma too many: the file could not be read, and the next choice in a tile's
    menu rewrote it with that one camera, the other four gone without a word. Now it is kept as
    ``*.broken-<time>`` first; and ``"UDP"`` reads as udp."""
    path = tmp_path / "rtsp_transport.json"
    hand_edited = '{"CAM-0001": "udp", "CAM-0002": "udp", "CAM-0003": "UDP", "CAM-0004": "udp",}'
    path.write_text(hand_edited, encoding="utf-8")
    transports = RtspTransports.load(tmp_path)
    assert transports.problem and transports.transport("CAM-0001") == "tcp"
    transports.set("CAM-0099", "udp")
    transports.save()
    (aside,) = tmp_path.glob("rtsp_transport.json.broken-*")
    assert aside.read_text(encoding="utf-8") == hand_edited
    assert json.loads(path.read_text(encoding="utf-8")) == {"CAM-0099": "udp"}
    path.write_text('{"CAM-0003": " UDP "}', encoding="utf-8")
    assert RtspTransports.load(tmp_path).transport("CAM-0003") == "udp"
