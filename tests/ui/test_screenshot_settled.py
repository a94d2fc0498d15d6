"""When ``commandwall screenshot --when-ready`` captures: the client settled — connected, its map drawn, every
tile of the wall live (or said offline or idle), none still connecting or reconnecting."""

from __future__ import annotations

import socket

from commandwall.app.session import ClientSession
from commandwall.config import Settings
from commandwall.domain.models import StreamUrls
from commandwall.ui.screenshot import client_settled
from tests.ui.test_map_view import run_js
from tests.ui.windows import open_main_window


def test_settled_once_connected_with_the_map_drawn_and_no_tile_still_connecting(
    qtbot, tmp_path, exercise_platform
) -> None:
    with socket.socket() as probe:  # a port nothing listens on: a camera that never plays
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/never.ts"
    session = ClientSession(Settings(data_dir=tmp_path), exercise_platform)
    window = open_main_window(qtbot, session, wait_ready=False)
    try:
        assert not client_settled(window), "not before it has connected"
        qtbot.waitUntil(window.is_ready, timeout=30_000)
        qtbot.waitUntil(lambda: client_settled(window), timeout=30_000)
        assert window.map.is_ready()
        assert {"cameras", "incidents"} <= window.map.drawn_kinds, "the page has painted the desk's data"
        assert run_js(qtbot, window.map, "CW.stats().incidents") > 0
        assert all(t.badge()[1] in ("live", "idle", "error") for t in window.wall.tiles())
        assert any(t.badge()[1] == "live" for t in window.wall.tiles()), "the wall plays"

        camera = window.wall.tile(0).camera
        assert camera is not None
        unplayable = camera.model_copy(update={"id": "CAM-DEAD", "streams": StreamUrls(main=dead, sub=dead)})
        window.wall.model.place([unplayable])
        qtbot.waitUntil(lambda: not client_settled(window), timeout=5_000)  # a tile connecting, then reconnecting
        qtbot.wait(1500)
        assert not client_settled(window), [t.state_text() for t in window.wall.tiles()]
    finally:
        window.close()
