"""A real RTSP server on 127.0.0.1 for the tests: GStreamer's RTSP server through the system Python's bindings.

Run with Debian's ``/usr/bin/python3`` (python3-gi, gir1.2-gst-rtsp-server-1.0 and the GStreamer plug-ins:
``scripts/system-deps.sh``), not the project's venv: ``/usr/bin/python3 tests/rtsp_server.py [--port N]``.
Serves ``/h264`` and ``/h265`` (and ``/h264-2``, a second H.264 stream for a third camera): a live 640×360
25 fps test picture (a moving ball), one key frame a second. ``/h264-ahead`` is the same from a camera whose clock
runs an hour ahead (its RTCP sender reports say so: a camera whose NTP is not set like the desk's). Prints
``READY <port>`` once listening and runs until stdin closes or it is terminated.

GStreamer 1.22's server can abort (``gst_rtsp_media_get_rates: assertion failed``) when several clients arrive at
once; so the server runs in a child process of this one, which starts it again on the same port if it dies (and
says so on stderr), as a camera that reboots would; the child dies with this process, even when it is killed.
"""

from __future__ import annotations

import argparse
import ctypes
import signal
import subprocess
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, GObject, Gst, GstRtsp, GstRtspServer  # noqa: E402

SOURCE = (
    "videotestsrc is-live=true pattern=ball ! video/x-raw,width=640,height=360,framerate=25/1 "
    "! videoconvert ! video/x-raw,format=I420 ! "
)
PIPELINES = {
    "/h264": SOURCE + "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 bframes=0 "
    "! h264parse config-interval=-1 ! rtph264pay name=pay0 pt=96",
    "/h265": SOURCE + "x265enc tune=zerolatency speed-preset=ultrafast key-int-max=25 "
    "! h265parse config-interval=-1 ! rtph265pay name=pay0 pt=96",
}
PIPELINES["/h264-2"] = PIPELINES["/h264"]
PIPELINES["/h264-ahead"] = PIPELINES["/h264"]
#: paths whose camera clock (the NTP time in its RTCP sender reports) runs this many seconds ahead of the machine's
CLOCK_AHEAD_S = {"/h264-ahead": 3600}
#: seconds from the NTP epoch (1900) to the Unix one (1970)
NTP_TO_UNIX_S = 2208988800


#: how often a server that died is started again, at most, in one run
MAX_RESTARTS = 50


def main() -> int:
    """Start the server (in a child process, started again if it dies) and report the port."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--child", action="store_true", help="be the server itself (the parent watches it)")
    args = parser.parse_args()
    if args.child:
        return serve(args.port)
    child, line = _start_child(args.port)
    print(line, flush=True)
    if not line.startswith("READY "):
        return 2
    port = int(line.split()[1])
    stdin_closed = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stdin_closed.set()), daemon=True).start()
    restarts = 0
    while not stdin_closed.wait(0.05):
        if child.poll() is not None and restarts < MAX_RESTARTS:
            restarts += 1
            print(f"rtsp_server: the server ended ({child.returncode}); started again on port {port}",
                  file=sys.stderr, flush=True)
            child, _line = _start_child(port)
    if child.stdin:
        child.stdin.close()
    try:
        child.wait(5)
    except subprocess.TimeoutExpired:
        child.kill()
    return 0


def _start_child(port: int) -> tuple[subprocess.Popen[str], str]:
    """The server in a child process on ``port``, and its first line (``READY <port>`` or ``MISSING …``)."""
    child = subprocess.Popen([sys.executable, __file__, "--child", "--port", str(port)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)  # fmt: skip
    line = (child.stdout.readline() if child.stdout else "").strip()
    return child, line


def serve(port: int) -> int:
    """The server itself: serve until stdin closes; dies with its parent (Linux: PR_SET_PDEATHSIG)."""
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: a killed parent leaves no server behind
    Gst.init(None)
    missing = [name for name in ("videotestsrc", "x264enc", "x265enc", "rtph264pay", "rtph265pay")
               if Gst.ElementFactory.find(name) is None]  # fmt: skip
    if missing:
        print(f"MISSING {' '.join(missing)}", flush=True)
        return 2
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(port))
    mounts = server.get_mount_points()
    factories = {}
    for path, launch in PIPELINES.items():
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(f"( {launch} )")
        factory.set_shared(True)
        if path in CLOCK_AHEAD_S:
            factory.set_clock(_clock_ahead(CLOCK_AHEAD_S[path]))
        mounts.add_factory(path, factory)
        factories[path] = factory
    server.attach(None)
    port = server.get_bound_port()
    threads = server.get_thread_pool()
    held = [_hold_prepared(factory, f"rtsp://127.0.0.1:{port}{path}", threads) for path, factory in factories.items()]
    print(f"READY {port}", flush=True)
    loop = GLib.MainLoop()
    threading.Thread(target=lambda: (sys.stdin.read(), loop.quit()), daemon=True).start()
    loop.run()
    del held
    return 0


def _clock_ahead(seconds: int) -> Gst.Clock:
    """A pipeline clock that reads the NTP time (since 1900) of ``seconds`` from now: the media's RTCP reports take
    their NTP time from it (``ntp-time-source=clock-time``, set when the media is prepared)."""
    clock = GObject.new(Gst.SystemClock, clock_type=Gst.ClockType.REALTIME)
    internal = clock.get_internal_time()
    clock.set_calibration(internal, internal + (NTP_TO_UNIX_S + seconds) * Gst.SECOND, 1, 1)
    return clock


def _hold_prepared(factory: GstRtspServer.RTSPMediaFactory, url: str,
                   threads: GstRtspServer.RTSPThreadPool) -> GstRtspServer.RTSPMedia:
    """Prepare the shared media clients of ``url`` will get, and keep it prepared for the server's life.

    GStreamer 1.22's server unprepares a shared media when its last client leaves; a client that arrives while
    that runs gets the media being torn down, and its PLAY aborts the whole server in
    ``gst_rtsp_media_get_rates`` ("assertion failed: (FALSE)": a complete stream without a segment). Seen in
    the tests: four captures closed one after another, then eight opened at once, crashed it within ten
    rounds. Holding one preparation of our own means the media is never unprepared while the server runs."""
    ok, parsed = GstRtsp.RTSPUrl.parse(url)
    assert ok == GstRtsp.RTSPResult.OK, url
    media = factory.construct(parsed)
    thread = threads.get_thread(GstRtspServer.RTSPThreadType.MEDIA, GstRtspServer.RTSPContext())
    if not media.prepare(thread):
        raise SystemExit(f"cannot prepare {url}")
    if factory.get_clock() is not None:  # the camera's own clock: its reports say the time by it
        elements = media.get_element().get_parent().iterate_elements()
        while True:
            result, element = elements.next()
            if result != Gst.IteratorResult.OK:
                break
            if element.get_factory() is not None and element.get_factory().get_name() == "rtpbin":
                element.set_property("ntp-time-source", "clock-time")
    return media


if __name__ == "__main__":
    raise SystemExit(main())
