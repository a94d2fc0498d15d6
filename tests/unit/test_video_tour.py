"""Video tours (轮巡) as data: validation, paging, wrap-around, offline cameras, short groups."""

from __future__ import annotations

import pytest

from commandwall.domain.models import Camera, CameraStatus, StreamUrls
from commandwall.video.tour import Tour, TourCursor, tour_around, tour_for_town, tour_status_text


def ids(n: int) -> tuple[str, ...]:
    """CAM-0000 … CAM-{n-1}."""
    return tuple(f"CAM-{i:04d}" for i in range(n))


def online_except(*offline: str):
    """An ``is_online`` that says no only for ``offline``."""
    down = set(offline)
    return lambda cid: cid not in down


ALL_ONLINE = online_except()


def cam(cam_id: str, town: str, status: str = "online") -> Camera:
    """A camera with made-up stream URLs (never opened here)."""
    urls = StreamUrls(main=f"http://127.0.0.1:9/{cam_id}/main.mjpg", sub=f"http://127.0.0.1:9/{cam_id}/sub.mjpg")
    return Camera(id=cam_id, name=f"{town}·{cam_id}", lon=117.26, lat=34.79, town=town,
                  status=CameraStatus(status), streams=urls)  # fmt: skip


# ---- validation -----------------------------------------------------------------------------------------
def test_tour_keeps_fields_and_makes_ids_a_tuple() -> None:
    """A list of ids becomes a tuple; the tour is frozen and hashable."""
    tour = Tour("临城街道", ["CAM-0001", "CAM-0002"], dwell_s=3)  # type: ignore[arg-type]
    assert tour.camera_ids == ("CAM-0001", "CAM-0002") and tour.dwell_s == 3 and len(tour) == 2
    assert Tour("x", ("a",)).dwell_s == 15.0
    assert hash(tour) == hash(Tour("临城街道", ("CAM-0001", "CAM-0002"), 3))
    with pytest.raises(AttributeError):
        tour.dwell_s = 10  # type: ignore[misc]


@pytest.mark.parametrize("dwell", [3, 3.0, 15, 600, 599.5])
def test_dwell_inside_bounds_is_accepted(dwell: float) -> None:
    """3 s and 600 s are both allowed."""
    assert Tour("t", ("a",), dwell).dwell_s == dwell


@pytest.mark.parametrize("dwell", [2.99, 0, -5, 600.01, 3600, float("nan"), float("inf"), True, "15"])
def test_dwell_outside_bounds_is_refused(dwell: object) -> None:
    """Outside 3–600 s (or not a number) raises ValueError naming the limits or the value."""
    with pytest.raises(ValueError, match="停留时间"):
        Tour("t", ("a",), dwell)  # type: ignore[arg-type]


def test_empty_group_duplicates_and_bad_ids_are_refused() -> None:
    """No cameras, a camera twice, an empty id or an empty name each give a clear ValueError."""
    with pytest.raises(ValueError, match="没有摄像机"):
        Tour("临城街道", ())
    with pytest.raises(ValueError, match=r"重复：CAM-0002、CAM-0001"):
        Tour("临城街道", ("CAM-0002", "CAM-0001", "CAM-0002", "CAM-0001", "CAM-0003"))
    with pytest.raises(ValueError, match="无效的摄像机编号"):
        Tour("临城街道", ("CAM-0001", " "))
    with pytest.raises(ValueError, match="名称不能为空"):
        Tour("  ", ("CAM-0001",))


# ---- paging ---------------------------------------------------------------------------------------------
def test_pages_in_order_and_wrap_to_keep_the_wall_full() -> None:
    """10 cameras on 4 tiles: 0–3, 4–7, then 8 9 0 1 (wrapping), 2–5 …; page numbers go 1 2 3 1 2."""
    cursor = TourCursor(Tour("t", ids(10)))
    assert cursor.page_number == 0 and cursor.pages(4) == 3
    c = ids(10)
    seen = [(cursor.next_page(4, ALL_ONLINE), cursor.page_number, cursor.page_count) for _ in range(5)]
    assert seen == [
        (list(c[0:4]), 1, 3),
        (list(c[4:8]), 2, 3),
        ([c[8], c[9], c[0], c[1]], 3, 3),
        (list(c[2:6]), 1, 3),
        (list(c[6:10]), 2, 3),
    ]


def test_every_camera_is_shown_within_one_round() -> None:
    """Over ``pages`` consecutive pages every online camera appears at least once (many sizes)."""
    for n in (1, 3, 4, 5, 9, 16, 17, 33):
        for tiles in (1, 4, 9, 16):
            cursor = TourCursor(Tour("t", ids(n)))
            for _round in range(3):
                shown: set[str] = set()
                for _ in range(cursor.pages(tiles)):
                    page = cursor.next_page(tiles, ALL_ONLINE)
                    assert len(page) == min(tiles, n) and len(set(page)) == len(page)
                    shown.update(page)
                assert shown == set(ids(n)), (n, tiles)


def test_offline_cameras_are_skipped_and_come_back() -> None:
    """Offline cameras never appear; pages fill up with the next online ones; online again = back in."""
    c = ids(8)
    down = {c[1], c[2], c[6]}
    cursor = TourCursor(Tour("t", c))
    assert cursor.next_page(4, lambda cid: cid not in down) == [c[0], c[3], c[4], c[5]]
    assert (cursor.page_number, cursor.page_count) == (1, 2)
    assert cursor.pages(4, lambda cid: cid not in down) == 2 and cursor.pages(4) == 2
    assert cursor.next_page(4, lambda cid: cid not in down) == [c[7], c[0], c[3], c[4]]
    assert cursor.page_number == 2
    down.clear()  # all back
    assert cursor.next_page(4, ALL_ONLINE) == [c[5], c[6], c[7], c[0]]
    assert (cursor.page_number, cursor.page_count) == (1, 2)


def test_fewer_online_cameras_than_tiles_gives_a_short_page_without_repeats() -> None:
    """3 cameras (one offline) on 9 tiles: a page of the 2 online ones, each once, page 1/1 every time."""
    cursor = TourCursor(Tour("t", ("A", "B", "C")))
    for _ in range(3):
        assert cursor.next_page(9, online_except("B")) == ["A", "C"]
        assert (cursor.page_number, cursor.page_count) == (1, 1)
    assert TourCursor(Tour("t", ("A",))).next_page(16, ALL_ONLINE) == ["A"]


def test_all_offline_gives_an_empty_page_and_page_zero() -> None:
    """No camera online: [] and page 0/0; the tour picks up where it was once cameras return."""
    cursor = TourCursor(Tour("t", ("A", "B", "C", "D", "E")))
    assert cursor.next_page(4, ALL_ONLINE) == ["A", "B", "C", "D"]
    assert cursor.next_page(4, lambda _cid: False) == []
    assert (cursor.page_number, cursor.page_count) == (0, 0)
    assert cursor.position == 4
    assert cursor.next_page(4, ALL_ONLINE) == ["E", "A", "B", "C"]
    assert cursor.page_number == 1


def test_tile_count_may_change_between_pages() -> None:
    """After 4-tile pages the wall goes to 9 tiles: the next page continues from the same place."""
    cursor = TourCursor(Tour("t", ids(20)))
    assert cursor.next_page(4, ALL_ONLINE) == list(ids(20)[:4])
    assert cursor.next_page(9, ALL_ONLINE) == list(ids(20)[4:13])
    assert cursor.page_count == 3
    cursor.reset()
    assert cursor.page_number == 0 and cursor.next_page(1, ALL_ONLINE) == ["CAM-0000"]


def test_is_online_is_asked_once_per_camera_per_page() -> None:
    """A status that flips while a page is made cannot yield a page and a count that disagree."""
    calls: list[str] = []

    def online(cid: str) -> bool:
        calls.append(cid)
        return True

    TourCursor(Tour("t", ids(6))).next_page(4, online)
    assert sorted(calls) == sorted(ids(6))


@pytest.mark.parametrize("tiles", [0, -4, 2.0, True])
def test_bad_tile_count_is_refused(tiles: object) -> None:
    """The wall always has at least one tile."""
    cursor = TourCursor(Tour("t", ("A",)))
    with pytest.raises(ValueError, match="tile_count"):
        cursor.next_page(tiles, ALL_ONLINE)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="tile_count"):
        cursor.pages(tiles)  # type: ignore[arg-type]


# ---- building tours from cameras ------------------------------------------------------------------------
def test_tour_for_town_takes_that_towns_cameras_in_order_including_offline() -> None:
    """Only the town's cameras, in the given order, offline ones kept (skipped at play time)."""
    cams = [cam("CAM-0003", "临城街道"), cam("CAM-0001", "常庄街道"), cam("CAM-0002", "临城街道", "offline"),
            cam("CAM-0003", "临城街道")]  # fmt: skip
    tour = tour_for_town(cams, "临城街道", dwell_s=20)
    assert tour == Tour("临城街道", ("CAM-0003", "CAM-0002"), 20)
    with pytest.raises(ValueError, match="沙沟镇 没有摄像机"):
        tour_for_town(cams, "沙沟镇")
    with pytest.raises(ValueError, match="停留时间"):
        tour_for_town(cams, "临城街道", dwell_s=1)


def test_tour_around_keeps_the_index_order() -> None:
    """Cameras around an incident keep their order (best first); a repeat is dropped; none → ValueError."""
    cams = [cam("CAM-0009", "兴城街道"), cam("CAM-0004", "临城街道"), cam("CAM-0009", "兴城街道")]
    tour = tour_around(cams, "周边：光明大道积水", dwell_s=10)
    assert tour.camera_ids == ("CAM-0009", "CAM-0004") and tour.name == "周边：光明大道积水"
    with pytest.raises(ValueError, match="没有可轮巡的摄像机"):
        tour_around([], "周边：某事件")


def test_status_text() -> None:
    """The status bar reads 轮巡：临城街道 第 2/9 页."""
    assert tour_status_text("临城街道", 2, 9) == "轮巡：临城街道 第 2/9 页"
    assert tour_status_text("临城街道", 0, 0) == "轮巡：临城街道 暂无在线摄像机"
    assert tour_status_text("临城街道", 1, 3, paused=True) == "轮巡：临城街道 第 1/3 页（已暂停）"


def test_tour_for_grid_keeps_one_grid_cell():
    from commandwall.domain.models import Camera, StreamUrls
    from commandwall.video.tour import tour_for_grid

    streams = StreamUrls(main="http://127.0.0.1:1/m", sub="http://127.0.0.1:1/s")
    cams = [Camera(id=f"C{i}", name="n", lon=117.2, lat=34.8, grid="G-001" if i % 2 else "G-002", streams=streams)
            for i in range(6)]
    tour = tour_for_grid(cams, "G-001", "临城街道第01网格")
    assert tour.name == "临城街道第01网格" and tour.camera_ids == ("C1", "C3", "C5")
    assert tour_for_grid(cams, "G-002").name == "G-002"
    with pytest.raises(ValueError, match="G-404 没有摄像机"):
        tour_for_grid(cams, "G-404")
