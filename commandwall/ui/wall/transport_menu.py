"""RTSP 传输 in a wall tile's menu: TCP or UDP for the tile's camera, saved in the data folder, applied at once.

Only a tile playing an RTSP stream offers it. The choice goes to the reader pool (every open stream of that
camera reopens over the new transport, on every wall; other cameras are untouched) and is saved in
``rtsp_transport.json`` (:mod:`commandwall.video.transport`). Messages name the camera, never its URL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QMenu

from commandwall.i18n import translate
from commandwall.textsafe import display_text
from commandwall.ui.wall.tile import TileView
from commandwall.video.capture import RTSP_TRANSPORTS
from commandwall.video.pool import ReaderPool, is_rtsp

log = logging.getLogger(__name__)


def add_transport_menu(menu: QMenu, tile: TileView, pool: ReaderPool, say: Callable[[str, int], None]) -> QMenu | None:
    """Add the RTSP 传输 submenu (TCP / UDP, the current one checked) for ``tile``'s camera to ``menu``; None
    (nothing added) when the tile plays no RTSP stream. ``say(text, timeout_ms)`` reports the change."""
    camera = tile.camera
    if camera is None or tile.stream_url is None or not is_rtsp(tile.stream_url):
        return None
    current = pool.transports.transport(camera.id) if pool.transports is not None else "tcp"
    stats = tile.stats()
    if stats is not None and stats.transport:
        current = stats.transport  # what the open stream uses
    submenu = menu.addMenu(translate("WallTile", "RTSP 传输"))
    submenu.setObjectName("rtspTransportMenu")
    group = QActionGroup(submenu)
    for transport in RTSP_TRANSPORTS:
        action = submenu.addAction(transport.upper())
        action.setCheckable(True)
        action.setChecked(transport == current)
        action.setData(transport)
        group.addAction(action)
        action.triggered.connect(lambda _=False, t=transport, cid=camera.id, name=camera.name:
                                 set_transport(pool, cid, name, t, say))  # fmt: skip
    return submenu


def set_transport(
    pool: ReaderPool, camera_id: str, camera_name: str, transport: str, say: Callable[[str, int], None]
) -> None:
    """Use ``transport`` for the camera: its streams reopen, the choice is saved; ``say`` what happened."""
    reopened = pool.set_rtsp_transport(camera_id, transport)
    name = display_text(camera_name)
    try:
        if pool.transports is not None:
            pool.transports.save()
    except OSError as error:
        log.warning("RTSP transport of camera %s not saved: %s", camera_id, error)
        say(
            translate("WallTile", "{name} 已改用 RTSP/{transport}，但设置无法保存：{error}").format(
                name=name, transport=transport.upper(), error=display_text(str(error), 120)
            ),
            8000,
        )
        return
    text = (
        translate("WallTile", "{name} 已改用 RTSP/{transport}，正在重新连接")
        if reopened
        else translate("WallTile", "{name} 以后使用 RTSP/{transport}")
    )
    say(text.format(name=name, transport=transport.upper()), 5000)
