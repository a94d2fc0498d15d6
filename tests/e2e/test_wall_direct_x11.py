"""直显 on a real X display: the decoder process puts the wall's pictures straight into the tiles' windows
(tests/e2e/wall_direct_x11.py works the wall in a client of its own on Xvfb, xcb, with the exercise backend's
H.264 streams; each test checks one part of what it reports). The pictures are read back from the X server's
screen, not from the client's memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.xvfb import xvfb_display

pytestmark = pytest.mark.e2e
CHILD = Path(__file__).with_name("wall_direct_x11.py")
ROOT = Path(__file__).resolve().parents[2]


def _run(display: str, *args: str, env_extra: dict[str, str] | None = None) -> dict:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT), **(env_extra or {})}
    env.pop("COMMANDWALL_DIRECT_VIDEO", None)
    run = subprocess.run([sys.executable, str(CHILD), *args], env=env, capture_output=True, text=True, timeout=240,
                         cwd=ROOT)  # fmt: skip
    lines = [line for line in run.stdout.splitlines() if line.startswith("RESULT ")]
    assert run.returncode == 0 and lines, run.stderr[-4000:]
    result = json.loads(lines[0].removeprefix("RESULT "))
    assert "error" not in result, result["error"]
    assert result["platform"] == "xcb"
    return result


@pytest.fixture(scope="module")
def worked() -> dict:
    """What the child reports after working the wall once (one run for the tests below)."""
    with xvfb_display(1920, 1080) as display:
        return _run(display)


def test_every_live_tile_goes_direct_and_the_screen_shows_its_moving_stream(worked: dict) -> None:
    assert worked["live"] and worked["all_direct"]
    screen = worked["screen"]
    # the burned-in index of each stream reads off the screen, and it moved in 0.7 s (25 fps: ~17 pictures)
    assert all(index is not None for index in screen["first"] + screen["second"]), screen
    assert all(a != b for a, b in zip(screen["first"], screen["second"], strict=True)), screen
    assert all(std > 10 for std in screen["std"])


def test_a_hostile_camera_name_is_shown_as_its_characters_above_a_direct_picture(worked: dict) -> None:
    hostile = worked["hostile_name"]
    assert hostile["direct"] and hostile["strip_visible"]
    assert hostile["caption"] == hostile["expected"]
    assert "{{7*7}}" in hostile["caption"] and "<b>" in hostile["caption"] and "49" not in hostile["caption"]
    assert "\u202e" not in hostile["caption"], "the override is marked, not obeyed"
    assert hostile["screen_matches"] and hostile["strip_std"] > 5, "the screen shows the bar as Qt draws it"


def test_the_client_hears_of_the_pictures_twice_a_second_and_counts_them_all(worked: dict) -> None:
    counts = worked["counts_3s"]
    assert all(n <= 10 for n in counts["published"]), counts  # ~2 a second, not 25
    assert all(n >= 3 for n in counts["published"]), counts
    assert all(n >= 60 for n in counts["frames"]), counts  # every picture counted (25 fps × 3 s)
    # the tiles took every picture put (told in batches: one batch, ~13 pictures, may straddle the window's ends)
    assert all(abs(p - f) <= 13 for p, f in zip(counts["presented"], counts["frames"], strict=True)), counts
    assert counts["painted"] == [0, 0, 0, 0], "Qt painted no picture of a 直显 tile"
    assert all(fps >= 20 for fps in counts["fps"]), counts
    assert all(ms is not None and 0 <= ms < 500 for ms in counts["receive_to_paint_ms"]), counts


def test_a_real_mouse_clicks_double_clicks_and_drags_direct_tiles(worked: dict) -> None:
    pointer = worked["pointer"]
    assert pointer["direct"] == [True] * 4
    assert pointer["selected"] == 1 and pointer["maximised"] == 1 and pointer["restored"] is None
    assert pointer["swapped"], pointer["cameras"]
    assert pointer["drag_picture_std"] > 20, "the drag shows the tile's picture"
    assert pointer["direct_again"]


def test_a_wall_moved_into_another_window_stays_direct_and_on_screen(worked: dict) -> None:
    moved = worked["moved"]
    assert moved["direct"] and moved["still_direct"] == [True] * 4
    first, second = moved["screen"]
    assert all(index is not None for index in first + second), moved
    assert all(a != b for a, b in zip(first, second, strict=True)), moved


def test_a_surface_given_a_new_window_by_qt_is_put_into_the_new_one(worked: dict) -> None:
    recreated = worked["recreated"]
    assert recreated["new_window"] and recreated["direct"] and recreated["still_direct"], recreated
    assert None not in recreated["screen"] and recreated["screen"][0] != recreated["screen"][1]


def test_zoom_and_the_stream_overlay_are_painted_by_qt_at_once_and_direct_comes_back(worked: dict) -> None:
    zoom, info = worked["zoom"], worked["info"]
    assert zoom["zoomed"] and not zoom["direct_after_wheel"] and zoom["still_painted"]
    assert zoom["painted_1s"] >= 10, zoom  # Qt paints the magnified live picture
    assert zoom["direct_again"]
    assert not info["direct_with_info"] and info["still_painted"] and info["direct_again"]


def test_a_direct_tile_turned_down_says_so_in_its_caption_at_once(worked: dict) -> None:
    degrade = worked["degrade"]
    assert degrade["direct"] and "降帧" in degrade["caption"] and degrade["wider_at_once"], degrade
    # the tile with the hostile name: its bar and the 降帧 caption on the X screen are what the strips paint
    assert degrade["bar_on_screen"] and degrade["caption_on_screen"], degrade


def test_a_camera_in_two_tiles_is_painted_by_qt_in_both(worked: dict) -> None:
    twice = worked["twice"]
    assert twice["same_reader"] and twice["direct"] and twice["direct_again"]


def test_a_snapshot_of_a_direct_tile_is_at_the_streams_resolution(worked: dict) -> None:
    snapshot = worked["snapshot"]
    assert snapshot["direct"] and snapshot["path"] and snapshot["shape"] == [360, 640, 3]


def test_hidden_tiles_stop_direct_and_come_back_without_reopening(worked: dict) -> None:
    layout = worked["layout"]
    assert layout["hidden_direct"] == [False, False, False]
    assert layout["hidden_presentation"] == [False, False, False], "the decoder was told to stop"
    assert layout["maximised_direct"]
    width, height = layout["wall_size"]
    assert layout["maximised_size"][0] > width * 0.9 and layout["maximised_size"][1] > height * 0.9
    assert layout["direct_again"] and layout["reopened"] == [0, 0, 0]


def test_clearing_and_refilling_the_wall_leaves_nothing_behind_in_the_decoder(worked: dict) -> None:
    cycles = worked["cycles"]
    assert cycles["direct"] == [True] * 5
    assert cycles["playing"][1] >= 4, "each direct tile's pictures are in a shared-memory segment"
    assert cycles["back_to_idle"] and cycles["cleared"] == cycles["idle"], cycles
    assert cycles["idle"][1] == 0


def test_a_stalled_stream_leaves_direct_and_its_last_picture_is_painted_dimmed(worked: dict) -> None:
    stall = worked["stall"]
    assert stall["left_direct"] and stall["badge"][1] == "warn", stall
    assert stall["painted"] >= 1
    assert stall["others_direct"] == [True, True, True]


def test_a_window_destroyed_under_the_decoder_costs_that_tile_only(worked: dict) -> None:
    gone = worked["window_gone"]
    assert gone["left_direct"] and gone["stays_painted"], gone
    assert gone["painted_1s"] >= 10, "Qt paints the tile's live pictures"
    assert gone["badge"][1] == "live"
    assert gone["others_direct"] == [True, True] and gone["decoder_same"]


def test_a_display_without_mit_shm_is_painted_by_qt_and_says_why() -> None:
    with xvfb_display(1920, 1080, extra=("-extension", "MIT-SHM")) as display:
        result = _run(display, "--no-shm")
    assert result["live"] and result["direct"] == [False] * 4
    assert all(n >= 30 for n in result["painted_2s"]), result  # painted by Qt, at the stream's rate
    assert "MIT-SHM" in (result["lasting_error"] or "")


@pytest.mark.parametrize("scale", ["2", "1.5"])
def test_a_desk_at_200_or_150_percent_puts_sharp_pictures_that_fill_the_tiles(scale: str) -> None:
    """A 4K monitor at 200 % or 150 % (QT_SCALE_FACTOR): the surfaces' windows are in device pixels; the decoder
    scales each picture to them (not to the logical size, blurred) and the screen shows the moving streams."""
    with xvfb_display(3840, 2160) as display:
        result = _run(display, "--hidpi", env_extra={"QT_SCALE_FACTOR": scale})
    assert result["live"] and result["all_direct"], result
    hidpi = result["hidpi"]
    assert hidpi["ratio"] == float(scale)
    assert all(index is not None for index in hidpi["first"] + hidpi["second"]), hidpi
    assert all(a != b for a, b in zip(hidpi["first"], hidpi["second"], strict=True)), hidpi
    for (pw, ph), surface in zip(hidpi["picture"], hidpi["surface"], strict=True):
        sw, sh = surface
        # fitted into the surface at its aspect: one side fills it (to a pixel), the other within it
        assert pw <= sw and ph <= sh and (sw - pw <= 1 or sh - ph <= 1), hidpi
        assert pw > 640 * 1.4, "scaled to the device pixels of a 640-logical-pixel tile, not to its logical size"
    assert hidpi["painted"] == [0, 0, 0, 0], "put by the decoder, not painted by Qt"


def test_a_decoder_that_crashes_is_restarted_and_every_tile_is_direct_again() -> None:
    """The decoder process killed as a crash inside FFmpeg would: the readers reconnect to a new one, which puts
    the pictures into the same windows again; the dead process's shared memory is gone."""
    with xvfb_display(1920, 1080) as display:
        result = _run(display, "--decoder-crash")
    assert result["live"] and result["all_direct"], result
    crash = result["decoder_crash"]
    assert crash["back"] and crash["new_pid"] and crash["starts"] == 2, crash
    first, second = crash["screen"]
    assert all(index is not None for index in first + second), crash
    assert all(a != b for a, b in zip(first, second, strict=True)), crash
    assert crash["shm_before"] >= 4 and crash["old_segments"] == 0 and crash["new_segments"] >= 4, crash
