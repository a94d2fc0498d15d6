"""Decoding in a process of its own (``commandwall.video.decode_host``), on real streams: the GStreamer RTSP server
(H.264, H.265), a real MJPEG camera over HTTP, a decoder killed as a crash would, a client killed with -9."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client
from pathlib import Path

import numpy as np
import psutil
import pytest

from commandwall.backoff import Backoff
from commandwall.video.decode_host import RING_SLOTS, DecodeHost, Ring, _StreamServer, shared_memory_dir
from commandwall.video.pool import ReaderPool
from commandwall.video.reader import StreamReader, StreamState
from tests.unit.test_video_mjpeg import MjpegServer, decode_index, free_port
from tests.unit.test_video_reader import wait_until
from tests.unit.test_video_rtsp import rtsp  # noqa: F401  (the module's RTSP server fixture)

ROOT = Path(__file__).resolve().parents[2]
FAST = Backoff(initial_s=0.1, factor=2.0, maximum_s=0.4, jitter=0.1)


@pytest.fixture
def host() -> Iterator[DecodeHost]:
    """A decoder process of our own, ended after the test."""
    decoder = DecodeHost()
    yield decoder
    decoder.close()


@pytest.fixture
def server() -> Iterator[MjpegServer]:
    """A real MJPEG camera at 25 fps."""
    srv = MjpegServer(fps=25).start()
    yield srv
    srv.stop()


def ring_files(pid: int) -> list[str]:
    """The shared-memory files decoder process ``pid`` made that are still there."""
    return [name for name in os.listdir(shared_memory_dir()) if name.startswith(f"commandwall-{pid}-")]


def decoder_cpu_s(host: DecodeHost) -> float:
    """CPU seconds the decoder process has used."""
    assert host.pid is not None
    times = psutil.Process(host.pid).cpu_times()
    return times.user + times.system


@pytest.mark.parametrize(("path", "codec"), [("h264", "h264"), ("h265", "hevc")])
def test_rtsp_decodes_in_the_decoder_process_scaled_and_full(rtsp: str, host: DecodeHost, path: str,  # noqa: F811
                                                             codec: str) -> None:  # fmt: skip
    reader = StreamReader(f"{rtsp}/{path}", decode_host=host).start()
    try:
        reader.set_display_size((320, 200))
        assert wait_until(lambda: reader.state is StreamState.LIVE, 20.0), reader.stats().last_error
        assert host.pid is not None and host.pid != os.getpid()
        assert wait_until(lambda: (f := reader.latest()) is not None and f.scaled, 5.0)
        first = reader.latest()
        cpu0, own0 = decoder_cpu_s(host), time.thread_time()
        time.sleep(1.5)
        later = reader.latest()
        assert decoder_cpu_s(host) - cpu0 > 0.01, "the decoder process decodes (~0.6 ms a picture)"
        assert first is not None and later is not None and later.seq > first.seq + 10
        assert later.scaled and later.image.shape == (180, 320, 4), "scaled by the decoder to fit the box, BGRX"
        assert later.stream_size == (640, 360)
        assert np.abs(first.image.astype(int) - later.image.astype(int)).mean() > 0.5, "the picture moves"
        full = reader.full_image(later)
        assert full is not None and full.shape == (360, 640, 3), "a snapshot gets the stream's resolution"
        stats = reader.stats()
        assert stats.codec == codec and stats.transport == "tcp"
        assert stats.fps > 15 and stats.bitrate_kbps and stats.bitrate_kbps > 10
        assert time.thread_time() - own0 < 1.0
    finally:
        reader.stop(timeout_s=0)
        assert reader.join(8.0)


def test_a_camera_shown_at_another_size_is_not_reopened(rtsp: str, host: DecodeHost) -> None:  # noqa: F811
    reader = StreamReader(f"{rtsp}/h264", decode_host=host).start()
    try:
        reader.set_display_size((640, 360))
        assert wait_until(lambda: (f := reader.latest()) is not None and f.image.shape == (360, 640, 4), 20.0)
        reader.set_display_size((160, 90))  # smaller: the same ring
        assert wait_until(lambda: (f := reader.latest()) is not None and f.image.shape == (90, 160, 4), 5.0)
        reader.set_display_size((1280, 720))  # larger than the ring: a new one, announced with the next picture
        assert wait_until(lambda: (f := reader.latest()) is not None and f.image.shape == (720, 1280, 4), 5.0)
        assert reader.stats().reconnects == 0
        assert len(ring_files(host.pid or 0)) == 0, "the client removes each ring's file as soon as it maps it"
    finally:
        reader.stop(timeout_s=0)
        assert reader.join(8.0)


def test_killed_decoder_restarts_and_streams_come_back(server: MjpegServer, host: DecodeHost) -> None:
    readers = [StreamReader(server.url(f"cam{i}.mjpg"), decode_host=host, backoff=FAST).start() for i in range(3)]
    try:
        assert wait_until(lambda: all(r.state is StreamState.LIVE for r in readers), 20.0)
        first_pid = host.pid
        host.kill()  # what a crash inside FFmpeg does to the decoder: this process goes on
        assert wait_until(lambda: all(r.stats().reconnects >= 1 for r in readers), 10.0)
        assert wait_until(lambda: all(r.state is StreamState.LIVE for r in readers), 10.0), [
            r.stats() for r in readers
        ]
        assert host.starts == 2 and host.pid not in (None, first_pid)
        seqs = [r.seq for r in readers]
        assert wait_until(lambda: all(r.seq > s + 2 for r, s in zip(readers, seqs, strict=True)), 10.0), (
            "pictures flow again"
        )
    finally:
        for r in readers:
            r.stop(timeout_s=0)
        for r in readers:
            assert r.join(8.0)


def test_source_gone_goes_offline_and_comes_back(host: DecodeHost) -> None:
    port = free_port()
    cam = MjpegServer(fps=25, port=port).start()
    reader = StreamReader(cam.url(), decode_host=host, backoff=FAST, read_timeout_s=2.0).start()
    try:
        assert wait_until(lambda: reader.state is StreamState.LIVE, 20.0)
        cam.stop()
        assert wait_until(lambda: reader.state is StreamState.RECONNECTING, 10.0), reader.stats()
        cam.restart()
        assert wait_until(lambda: reader.state is StreamState.LIVE, 5.0), reader.stats()
        index = decode_index(reader.latest().image)  # type: ignore[union-attr]
        assert index is not None and abs(index - cam.index_now()) < 25, "a current picture, not an old one"
    finally:
        reader.stop(timeout_s=0)
        assert reader.join(8.0)
        cam.stop()


def test_a_connection_without_the_key_is_refused_and_the_streams_play_on(server: MjpegServer,
                                                                         host: DecodeHost) -> None:  # fmt: skip
    reader = StreamReader(server.url(), decode_host=host).start()
    try:
        assert wait_until(lambda: reader.state is StreamState.LIVE, 20.0)
        pid, address = host.pid, host._address
        assert address is not None
        with pytest.raises(AuthenticationError):
            Client(address, authkey=b"not the key")
        seq = reader.seq
        assert wait_until(lambda: reader.seq > seq + 10, 5.0), "the stream plays on"
        assert host.pid == pid and host.starts == 1, "the decoder did not die of it"
        second = StreamReader(server.url("other.mjpg"), decode_host=host).start()
        try:
            assert wait_until(lambda: second.state is StreamState.LIVE, 20.0), "and still opens streams"
        finally:
            second.stop(timeout_s=0)
            assert second.join(8.0)
    finally:
        reader.stop(timeout_s=0)
        assert reader.join(8.0)


def test_open_failure_says_why_without_the_password(host: DecodeHost) -> None:
    url = f"http://admin:s3cret-Pw@127.0.0.1:{free_port()}/cam.mjpg"
    reader = StreamReader(url, decode_host=host, backoff=FAST, open_timeout_s=2.0, read_timeout_s=2.0).start()
    try:
        assert wait_until(lambda: reader.stats().last_error != "", 15.0)
        error = reader.stats().last_error
        assert "open failed" in error and "s3cret-Pw" not in error, error
    finally:
        reader.stop(timeout_s=0)
        assert reader.join(8.0)


def test_pool_stop_all_ends_the_decoder_and_leaves_nothing(server: MjpegServer) -> None:
    host = DecodeHost()
    pool = ReaderPool(decode_host=host)
    for i in range(4):
        pool.acquire(server.url(f"cam{i}.mjpg"), f"CAM-{i}").set_display_size((320, 180))
    assert wait_until(lambda: all(pool.get(u).state is StreamState.LIVE for u in pool.urls()), 20.0)
    pid = host.pid
    assert pid is not None and ring_files(pid) == [], "mapped rings have no file left"
    assert pool.stop_all(timeout_s=8.0)
    assert host.pid is None and not psutil.pid_exists(pid), "the decoder process ended with the pool"
    assert ring_files(pid) == []
    assert wait_until(lambda: server.active_connections == 0, 5.0), "its streams closed with it"


def test_a_killed_client_takes_its_decoder_with_it(server: MjpegServer, tmp_path: Path) -> None:
    script = tmp_path / "client.py"
    script.write_text(textwrap.dedent(f"""
        import sys, time
        from commandwall.video.decode_host import DecodeHost
        from commandwall.video.reader import StreamReader, StreamState
        host = DecodeHost()
        reader = StreamReader({server.url()!r}, decode_host=host).start()
        deadline = time.monotonic() + 20
        while reader.state is not StreamState.LIVE and time.monotonic() < deadline:
            time.sleep(0.05)
        print(host.pid, reader.state.value, flush=True)
        time.sleep(60)
    """))
    client = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    try:
        assert client.stdout is not None
        pid_text, state = client.stdout.readline().split()
        assert state == "live"
        decoder = psutil.Process(int(pid_text))
        client.send_signal(signal.SIGKILL)
        client.wait(10)
        assert wait_until(lambda: not decoder.is_running() or decoder.status() == psutil.STATUS_ZOMBIE, 10.0), (
            "the decoder process outlived its client"
        )
        assert ring_files(int(pid_text)) == []
        assert wait_until(lambda: server.active_connections == 0, 10.0)
    finally:
        if client.poll() is None:
            client.kill()
            client.wait(10)
        if client.stdout is not None:
            client.stdout.close()


def open_unmapped_ring(host: DecodeHost, url: str) -> str:
    """Open ``url`` in ``host``'s decoder as a client that is killed before it maps the first ring: the name of
    the ring file the decoder made for it."""
    address, authkey = host._ensure()
    conn = Client(address, authkey=authkey)
    conn.send(("open", {"url": url, "decoder": "auto", "open_timeout_s": 5.0, "read_timeout_s": 5.0,
                        "rtsp_transport": "tcp", "key_frames_only": False}))  # fmt: skip
    deadline = time.monotonic() + 15  # never a recv that waits past it: a silent decoder fails here, not hangs

    def answer() -> tuple:
        assert conn.poll(max(0.0, deadline - time.monotonic())), "the decoder did not answer in time"
        return conn.recv()

    assert answer()[0] == "opened"
    while True:
        kind, *args = answer()
        if kind == "frame" and "ring" in args[0]:
            return os.path.basename(args[0]["ring"])


def test_ring_files_never_outlive_their_decoder(host: DecodeHost, server: MjpegServer) -> None:
    # the client goes (its end of the decoder's standard input closes) before it mapped a ring: the decoder
    # removes the file as it ends, with no reap by a client
    ring = open_unmapped_ring(host, server.url("cam1.mjpg"))
    proc = host._proc
    assert proc is not None and proc.stdin is not None
    assert ring_files(proc.pid) == [ring]
    proc.stdin.close()
    proc.wait(10)
    assert ring_files(proc.pid) == [], "the decoder left a ring file nobody can map any more"
    host.close()
    # the decoder crashes (kill -9) while a ring waits to be mapped: the client removes it when it starts the next
    ring = open_unmapped_ring(host, server.url("cam2.mjpg"))
    crashed = host.pid
    assert crashed is not None and ring_files(crashed) == [ring]
    host.kill()
    assert ring_files(crashed) == [ring], "a crash leaves the file (nothing ran in the decoder)"
    host.start()
    assert host.pid != crashed
    assert ring_files(crashed) == [], "the client removed what its crashed decoder left"


def test_ring_hands_slots_back_and_forth() -> None:
    decoder_side = Ring.create(16)
    client_side = Ring.attach(decoder_side.path, 16)
    assert not os.path.exists(decoder_side.path), "the client removes the file once it has mapped it"
    picture = np.arange(16, dtype=np.uint8).reshape(2, 2, 4)
    slots = []
    for number in range(1, RING_SLOTS + 1):
        slot = decoder_side.free_slot(slots[-1] if slots else -1)
        assert slot is not None
        decoder_side.write(slot, number, picture + number)
        slots.append(slot)
    assert sorted(slots) == list(range(RING_SLOTS))
    assert decoder_side.free_slot(slots[-1]) is None, "every slot is the client's: the decoder skips the picture"
    shown = client_side.view(slots[0], 1, (2, 2, 4))
    assert shown is not None and np.array_equal(shown, picture + 1), "the client sees the picture in place"
    with pytest.raises(ValueError):
        shown[0, 0, 0] = 0  # a frame is never written to
    assert client_side.view(slots[0], 2, (2, 2, 4)) is None, "another picture's number: not this one"
    assert client_side.view(slots[0], 1, (2, 2, 5)) is None, "a shape larger than the slot is refused"
    client_side.release(slots[1])
    assert decoder_side.free_slot(slots[-1]) == slots[1], "a slot handed back is written next"


@pytest.mark.parametrize("source", ["mjpeg", "h264"])
def test_a_picture_on_screen_is_never_written_over(server: MjpegServer, rtsp: str, host: DecodeHost,  # noqa: F811
                                                   source: str) -> None:  # fmt: skip
    """The decoder converts each picture straight into a free slot of the ring (H.264 through OpenCV, MJPEG
    through swscale): never into the one a tile shows."""
    reader = StreamReader(server.url() if source == "mjpeg" else f"{rtsp}/h264", decode_host=host).start()
    try:
        reader.set_display_size((320, 180))
        assert wait_until(lambda: (f := reader.latest()) is not None and f.scaled, 20.0)
        held = reader.latest()  # a tile holds it, as long as it is shown
        assert held is not None
        kept = held.image.copy()
        first_seq = held.seq
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:  # a wall taking every picture: the ring goes round without this slot
            reader.latest()
            time.sleep(0.01)
        assert np.array_equal(held.image, kept), "the held picture's slot was not written again"
        later = reader.latest()
        assert later is not None and later.seq > first_seq + 10, "the others flow on"
        assert np.abs(later.image.astype(int) - kept.astype(int)).mean() > 0.5, "and show a moving picture"
    finally:
        reader.stop(timeout_s=0)
        assert reader.join(8.0)


def test_a_decoder_that_cannot_start_leaves_the_readers_decoding_themselves(server: MjpegServer,
                                                                            tmp_path: Path) -> None:  # fmt: skip
    host = DecodeHost(command=[str(tmp_path / "no-such-decoder")])
    reader = StreamReader(server.url(), decode_host=host, backoff=FAST).start()
    try:
        assert wait_until(lambda: reader.state is StreamState.LIVE, 20.0), reader.stats().last_error
        assert "cannot start" in host.broken and host.pid is None
        seq = reader.seq
        assert wait_until(lambda: reader.seq > seq + 5, 5.0), "pictures flow, decoded by the reader itself"
    finally:
        reader.stop(timeout_s=0)
        assert reader.join(8.0)
        host.close()


@pytest.mark.parametrize("in_process", [False, True], ids=["decoder-process", "reader-thread"])
def test_hostile_stream_urls_fail_clearly_without_the_password(server: MjpegServer, host: DecodeHost,
                                                               tmp_path: Path, in_process: bool) -> None:  # fmt: skip
    from tests.hostile import corpus

    decoder = None if in_process else host
    canary = str(tmp_path / "canary")
    closed = f"http://admin:s3cret-Pw@127.0.0.1:{free_port()}/"
    readers = [StreamReader(closed + text, decode_host=decoder, backoff=FAST, open_timeout_s=2.0,
                            read_timeout_s=2.0).start() for text in corpus(canary)]  # fmt: skip
    readers.append(StreamReader("\x00garbage{{7*7}}\u202e", decode_host=decoder, backoff=FAST).start())
    good = StreamReader(server.url(), decode_host=host).start()
    try:
        assert wait_until(lambda: all(r.stats().last_error for r in readers), 30.0), [
            r.safe_url for r in readers if not r.stats().last_error
        ]
        for reader in readers:
            stats = reader.stats()
            assert stats.state is not StreamState.LIVE
            assert "s3cret-Pw" not in stats.last_error, stats.last_error
        assert wait_until(lambda: good.state is StreamState.LIVE, 20.0), "a good stream opens beside them"
        assert host.pid is not None and host.starts == 1, "no hostile URL ended the decoder"
        assert not list(tmp_path.glob("canary*")), "nothing in a URL ran"
    finally:
        for r in [*readers, good]:
            r.stop(timeout_s=0)
        for r in [*readers, good]:
            assert r.join(10.0)


def test_a_ring_replaced_before_the_client_read_its_announcement_is_still_there(server: MjpegServer) -> None:
    """A stream's first pictures come at its own size (no box asked yet), then a box asks for larger ones: the
    decoder makes a larger ring. A client that had not read the first picture's message yet must still find the
    ring it announced (removing it made the client's map fail: the reader reconnected with a FileNotFoundError)."""
    client, decoder = multiprocessing.Pipe()

    def serve() -> None:  # as the decoder's stream thread does: a client gone ends the stream
        with contextlib.suppress(OSError, EOFError):
            _StreamServer(decoder).run()

    stream = threading.Thread(target=serve, daemon=True)
    stream.start()
    try:
        client.send(("open", {"url": server.url(), "decoder": "auto", "open_timeout_s": 5.0, "read_timeout_s": 5.0,
                              "rtsp_transport": "tcp", "key_frames_only": False}))  # fmt: skip
        assert client.poll(10.0) and client.recv()[0] == "opened"
        assert client.poll(10.0), "a first picture at the stream's size (640×360 BGR)"
        client.send(("box", (1280, 720)))  # 1280×720 BGRX: more than the first ring's slots
        announced: list[str] = []
        deadline = time.monotonic() + 10.0
        while len(announced) < 2 and time.monotonic() < deadline:  # the client busy elsewhere: nothing mapped yet
            if client.poll(0.5):
                kind, *args = client.recv()
                if kind == "frame" and "ring" in args[0]:
                    announced.append(args[0]["ring"])
        assert len(announced) == 2, announced
        for path in announced:
            assert os.path.exists(path), "an announced ring is there until the client maps it"
            Ring.attach(path, 16)  # maps and removes it, as the client does
            assert not os.path.exists(path)
    finally:
        client.close()
        stream.join(10.0)
    assert not stream.is_alive()


def test_a_decoder_started_with_few_open_files_raises_its_limit_and_plays_every_stream(server: MjpegServer) -> None:
    """A desk starts programs with a soft limit of 1024 open files; the decoder holds a few a stream (the client's
    connection, the camera's socket, the pictures' memory) and raises its soft limit to the hard one at start. Here
    it starts with 40: 20 streams need more."""
    low = ("import resource, sys; soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE); "
           "resource.setrlimit(resource.RLIMIT_NOFILE, (40, hard)); "
           "from commandwall.cli import main; sys.exit(main(['decode-host']))")  # fmt: skip
    host = DecodeHost(command=[sys.executable, "-c", low])
    readers = [StreamReader(server.url(f"cam{i}.mjpg"), decode_host=host, backoff=FAST) for i in range(20)]
    try:
        host.start()
        for reader in readers:
            reader.start()
        assert wait_until(lambda: all(r.state is StreamState.LIVE for r in readers), 30.0), [
            r.stats().last_error for r in readers if r.state is not StreamState.LIVE
        ]
        decoder = psutil.Process(host.pid)
        assert decoder.num_fds() > 40, "more files than it started with"
        assert decoder.rlimit(psutil.RLIMIT_NOFILE)[0] > 40
    finally:
        for reader in readers:
            reader.stop(timeout_s=0)
        for reader in readers:
            assert reader.join(8.0)
        host.close()
