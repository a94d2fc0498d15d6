"""TourRunner (轮巡) driving a real WallView over real MJPEG streams on 127.0.0.1 (pytest-qt, offscreen)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from commandwall.app.store import CameraStore
from commandwall.domain.models import Camera, StreamUrls
from commandwall.ui.wall import WallView
from commandwall.ui.wall.tour import TourRunner
from commandwall.video.pool import ReaderPool
from commandwall.video.tour import Tour
from tests.unit.test_video_mjpeg import MjpegServer

#: page interval for tests that are about what a page holds, not how long it stays
FAST_MS = 300
TOWN = "临城街道"
CAM_IDS = tuple(f"CAM-{i:04d}" for i in range(1, 7))  # six cameras: two pages on a 2×2 wall


@pytest.fixture
def store(server: MjpegServer) -> CameraStore:
    """The client's camera store holding six online cameras of 临城街道 whose streams are on ``server``."""
    cameras = CameraStore()
    cameras.replace_all(camera(cid, server) for cid in CAM_IDS)
    return cameras


def camera(cam_id: str, server: MjpegServer) -> Camera:
    """A camera of 临城街道 streaming from ``server``."""
    urls = StreamUrls(main=server.url(f"{cam_id}/main.mjpg"), sub=server.url(f"{cam_id}/sub.mjpg"))
    return Camera(id=cam_id, name=f"{TOWN}·{cam_id}号点", lon=117.26, lat=34.79, town=TOWN, streams=urls)


def make_runner(wall: WallView, store: CameraStore, interval_ms: int | None = FAST_MS) -> TourRunner:
    """A runner over ``wall`` looking cameras up in ``store``."""
    return TourRunner(wall, store.get, interval_ms=interval_ms)


@pytest.fixture
def runner(wall: WallView, store: CameraStore) -> Iterator[TourRunner]:
    """A runner with a fast page interval, stopped before the wall goes."""
    tour_runner = make_runner(wall, store)
    yield tour_runner
    tour_runner.stop()


def shown(wall: WallView) -> list[str | None]:
    """Camera id per tile."""
    return [c.id if c is not None else None for c in wall.cameras()]


def all_live(wall: WallView, tiles: range) -> bool:
    """Every tile in ``tiles`` reads 直播 and has painted frames."""
    return all(wall.tile(i).badge()[0] == "直播" and wall.tile(i).frames_painted >= 2 for i in tiles)


def test_pages_play_real_streams_then_the_next_page(
    qtbot: QtBot, wall: WallView, store: CameraStore, server: MjpegServer, pool: ReaderPool
) -> None:
    """Page 1 (CAM 1–4) goes live; after the dwell page 2 (CAM 5, 6, then 1, 2 wrapping) goes live.

    The dwell is long enough for four streams to open on a loaded machine: page 1 must be seen live while it is
    still the page, and page 2 must not come before the dwell is over."""
    dwell_s = 5
    tour = Tour(TOWN, CAM_IDS, dwell_s=dwell_s)
    tour_runner = make_runner(wall, store, interval_ms=None)
    pages: list[tuple[str, int, int, list[str | None]]] = []
    tour_runner.sig_page.connect(lambda name, page, count: pages.append((name, page, count, shown(wall))))
    try:
        tour_runner.start(tour)
        started = time.monotonic()
        assert tour_runner.is_running() and tour_runner.current_tour == tour
        assert tour_runner.interval_ms == dwell_s * 1000
        assert pages == [(TOWN, 1, 2, list(CAM_IDS[:4]))]  # page 1 is up at once, not after a dwell
        qtbot.waitUntil(lambda: len(pages) > 1 or all_live(wall, range(4)), timeout=10_000)
        assert len(pages) == 1, "page 2 came before page 1 was live"
        assert [wall.tile(i).stream_url for i in range(4)] == [server.url(f"{c}/sub.mjpg") for c in CAM_IDS[:4]]

        with qtbot.waitSignal(tour_runner.sig_page, timeout=(dwell_s + 4) * 1000):
            pass
        assert time.monotonic() - started >= 0.95 * dwell_s  # Qt's coarse timers may fire up to 5 % early
        assert pages[1] == (TOWN, 2, 2, ["CAM-0005", "CAM-0006", "CAM-0001", "CAM-0002"])
        qtbot.waitUntil(lambda: all_live(wall, range(4)), timeout=10_000)
        assert pool.refcount(server.url("CAM-0003/sub.mjpg")) == 0, "page 1's camera 3 still holds a stream"
        assert pool.refcount(server.url("CAM-0001/sub.mjpg")) == 1
    finally:
        tour_runner.stop()


def test_rounds_repeat_and_sig_page_counts(qtbot: QtBot, wall: WallView, runner: TourRunner) -> None:
    """Pages go 1/2, 2/2, 1/2, … with the tour's name; the wall follows each page."""
    pages: list[tuple[str, int, int, list[str | None]]] = []
    runner.sig_page.connect(lambda name, page, count: pages.append((name, page, count, shown(wall))))
    runner.start(Tour(TOWN, CAM_IDS, dwell_s=3))
    qtbot.waitUntil(lambda: len(pages) >= 4, timeout=5000)
    assert pages[:4] == [
        (TOWN, 1, 2, ["CAM-0001", "CAM-0002", "CAM-0003", "CAM-0004"]),
        (TOWN, 2, 2, ["CAM-0005", "CAM-0006", "CAM-0001", "CAM-0002"]),
        (TOWN, 1, 2, ["CAM-0003", "CAM-0004", "CAM-0005", "CAM-0006"]),
        (TOWN, 2, 2, ["CAM-0001", "CAM-0002", "CAM-0003", "CAM-0004"]),
    ]


def test_stop_leaves_the_current_cameras_playing(qtbot: QtBot, wall: WallView, runner: TourRunner) -> None:
    """stop() emits sig_stopped once, no more pages come, and the page on the wall keeps playing."""
    runner.start(Tour(TOWN, CAM_IDS, dwell_s=3))
    # stopped on its first page: waiting for four streams to go live while pages flip every 300 ms races the
    # opens on a loaded machine
    before = shown(wall)
    assert before == list(CAM_IDS[:4])
    pages: list[int] = []
    runner.sig_page.connect(lambda _name, page, _count: pages.append(page))
    with qtbot.waitSignal(runner.sig_stopped, timeout=1000):
        runner.stop()
    assert not runner.is_running() and runner.current_tour is None and runner.cursor is None
    with qtbot.assertNotEmitted(runner.sig_stopped, wait=0):
        runner.stop()  # a second stop is a no-op
    qtbot.waitUntil(lambda: all_live(wall, range(4)), timeout=10_000)
    qtbot.wait(3 * FAST_MS)
    assert pages == [] and shown(wall) == before
    painted = [wall.tile(i).frames_painted for i in range(4)]
    qtbot.waitUntil(lambda: all(wall.tile(i).frames_painted > painted[i] + 2 for i in range(4)), timeout=5000)


def test_camera_going_offline_is_skipped_on_the_next_page(
    qtbot: QtBot, wall: WallView, store: CameraStore, runner: TourRunner
) -> None:
    """CAM-0005 goes offline in the store during page 1: page 2 is CAM 6, 1, 2, 3; back online it returns."""
    runner.start(Tour(TOWN, CAM_IDS, dwell_s=3))
    runner.pause()
    assert shown(wall) == list(CAM_IDS[:4])
    assert store.set_status("CAM-0005", "offline")
    with qtbot.waitSignal(runner.sig_page, check_params_cb=lambda *args: args == (TOWN, 2, 2)):
        runner.advance()
    assert shown(wall) == ["CAM-0006", "CAM-0001", "CAM-0002", "CAM-0003"]
    qtbot.waitUntil(lambda: all_live(wall, range(4)), timeout=10_000)

    store.set_status("CAM-0005", "online")
    with qtbot.waitSignal(runner.sig_page, check_params_cb=lambda *args: args == (TOWN, 1, 2)):
        runner.advance()
    assert shown(wall) == ["CAM-0004", "CAM-0005", "CAM-0006", "CAM-0001"]


def test_short_page_stops_the_tiles_left_over(
    qtbot: QtBot, wall: WallView, store: CameraStore, runner: TourRunner, pool: ReaderPool, server: MjpegServer
) -> None:
    """A tour with fewer online cameras than tiles plays each once and stops the other tiles."""
    for index, cid in enumerate(CAM_IDS[2:]):
        wall.play(store.get(cid), index)  # type: ignore[arg-type]  # a full wall, played by hand
    store.set_status("CAM-0002", "offline")
    stopped: list[int] = []
    wall.sig_playing_changed.connect(lambda index, cid: stopped.append(index) if cid == "" else None)
    with qtbot.waitSignal(runner.sig_page, check_params_cb=lambda *args: args == ("三台", 1, 1)):
        runner.start(Tour("三台", ("CAM-0001", "CAM-0002", "CAM-0003"), dwell_s=3))
    assert shown(wall) == ["CAM-0001", "CAM-0003", None, None]
    assert sorted(stopped) == [2, 3]
    assert pool.refcount(server.url("CAM-0006/sub.mjpg")) == 0
    qtbot.waitUntil(lambda: all_live(wall, range(2)), timeout=10_000)
    assert wall.tile(2).badge() == ("空闲", "idle")
    qtbot.wait(2 * FAST_MS)  # the same short page again: nothing moves
    assert shown(wall) == ["CAM-0001", "CAM-0003", None, None]


def test_pause_holds_the_page_and_resume_goes_on(qtbot: QtBot, wall: WallView, runner: TourRunner) -> None:
    """No page while paused; resume() brings the next page one interval later; the tour keeps running."""
    pages: list[int] = []
    runner.sig_page.connect(lambda _name, page, _count: pages.append(page))
    runner.start(Tour(TOWN, CAM_IDS, dwell_s=3))
    runner.pause()
    assert runner.is_running() and runner.is_paused()
    qtbot.wait(3 * FAST_MS)
    assert pages == [1] and shown(wall) == list(CAM_IDS[:4])
    runner.resume()
    assert not runner.is_paused()
    qtbot.waitUntil(lambda: len(pages) >= 2, timeout=3000)
    assert pages[1] == 2 and shown(wall)[0] == "CAM-0005"


def test_a_camera_played_by_hand_is_replaced_by_the_next_page(
    qtbot: QtBot, wall: WallView, store: CameraStore, runner: TourRunner, server: MjpegServer
) -> None:
    """The tour keeps running when the duty officer plays a camera into the wall; its next page wins."""
    store.upsert(camera("CAM-0099", server))
    runner.start(Tour(TOWN, CAM_IDS, dwell_s=3))
    runner.pause()
    wall.play(store.get("CAM-0099"), 0)  # type: ignore[arg-type]
    assert runner.is_running() and shown(wall)[0] == "CAM-0099"
    runner.resume()
    qtbot.waitUntil(lambda: shown(wall)[0] == "CAM-0005", timeout=3000)


def test_all_offline_keeps_the_wall_and_reports_page_zero(
    qtbot: QtBot, wall: WallView, store: CameraStore, runner: TourRunner
) -> None:
    """With every camera of the tour offline (or unknown), the wall stays as it was and sig_page says 0/0."""
    runner.start(Tour(TOWN, CAM_IDS, dwell_s=3))
    runner.pause()
    for cid in CAM_IDS:
        store.set_status(cid, "offline")
    with qtbot.waitSignal(runner.sig_page, check_params_cb=lambda *args: args == (TOWN, 0, 0)):
        runner.advance()
    assert shown(wall) == list(CAM_IDS[:4])
    with qtbot.waitSignal(runner.sig_page, check_params_cb=lambda *args: args == ("无此点位", 0, 0)):
        runner.start(Tour("无此点位", ("CAM-7777",), dwell_s=3))
    assert shown(wall) == list(CAM_IDS[:4])


def test_start_replaces_a_running_tour_and_follows_the_tile_count(
    qtbot: QtBot, wall: WallView, runner: TourRunner
) -> None:
    """A new start() switches tours without sig_stopped; a 9-tile wall gets 9-camera pages (short here)."""
    runner.start(Tour(TOWN, CAM_IDS, dwell_s=3))
    runner.pause()
    other = Tour("两台", ("CAM-0006", "CAM-0005"), dwell_s=5)
    with qtbot.assertNotEmitted(runner.sig_stopped, wait=0):
        runner.start(other)
    assert runner.current_tour == other and not runner.is_paused() and runner.interval_ms == FAST_MS
    assert shown(wall) == ["CAM-0006", "CAM-0005", None, None]
    runner.stop()
    wall.set_tile_count(9)
    with qtbot.waitSignal(runner.sig_page, check_params_cb=lambda *args: args == (TOWN, 1, 1)):
        runner.start(Tour(TOWN, CAM_IDS, dwell_s=3))
    assert shown(wall) == [*CAM_IDS, None, None, None]


def test_interval_override_must_be_positive(wall: WallView, store: CameraStore) -> None:
    """An interval of 0 ms would spin the GUI thread: refused."""
    with pytest.raises(ValueError):
        TourRunner(wall, store.get, interval_ms=0)
