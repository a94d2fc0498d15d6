"""What a drag onto the wall carries: camera ids as JSON under a MIME type of our own.

Any part of the client that lets cameras be dragged (the camera list, a map camera, a wall tile) puts
``json.dumps(["CAM-0001", …])`` (UTF-8) under :data:`CAMERA_IDS_MIME`; the wall takes the ids and asks the
camera store for them. A tile dragged within the wall additionally carries :data:`WALL_TILE_MIME` (the
wall's id and the tile number as JSON), so a drop on another tile of the same wall swaps the two.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from commandwall.domain.models import MAX_ID_CHARS
from commandwall.i18n import translate
from commandwall.localjson import NotJsonError, parse_json
from commandwall.video.layout import MAX_TILES

#: camera ids, a JSON array of strings, UTF-8
CAMERA_IDS_MIME = "application/x-commandwall-camera-ids"
#: a wall tile being moved: ``{"wall": "<wall id>", "tile": <index>}``, UTF-8 JSON
WALL_TILE_MIME = "application/x-commandwall-wall-tile"
#: at most this many cameras are taken from one drop (the largest layout's tiles)
MAX_DROPPED_CAMERAS = MAX_TILES
#: a camera id longer than this is not an id (the domain's limit)
MAX_CAMERA_ID_LEN = MAX_ID_CHARS


def encode_camera_ids(camera_ids: Iterable[str]) -> bytes:
    """The payload for :data:`CAMERA_IDS_MIME`."""
    return json.dumps(list(camera_ids), ensure_ascii=False).encode("utf-8")


def decode_camera_ids(data: bytes) -> list[str]:
    """Camera ids from a :data:`CAMERA_IDS_MIME` payload, in order, without repeats, at most
    :data:`MAX_DROPPED_CAMERAS`. ValueError (a readable message) for anything but a JSON array of ids."""
    try:
        value = parse_json(bytes(data).decode("utf-8"))
    except (UnicodeDecodeError, NotJsonError) as error:
        message = translate("wall", "拖放的摄像机数据无法读取 ({error})").format(error=error.__class__.__name__)
        raise ValueError(message) from None
    if not isinstance(value, list):
        raise ValueError(translate("wall", "拖放的摄像机数据应为编号列表"))
    ids: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip() or len(item) > MAX_CAMERA_ID_LEN:
            raise ValueError(translate("wall", "拖放的数据含无效的摄像机编号：{id}").format(id=repr(str(item)[:20])))
        if item not in ids:
            ids.append(item)
    return ids[:MAX_DROPPED_CAMERAS]


def checked_camera_ids(camera_ids: Iterable[object]) -> list[str]:
    """Ids from an untrusted source (the map page's drag) under the checks a drop applies
    (:func:`decode_camera_ids`): the ids to carry, or ValueError."""
    try:
        payload = json.dumps(list(camera_ids), ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError):
        raise ValueError(translate("wall", "拖放的摄像机数据应为编号列表")) from None
    return decode_camera_ids(payload)


def encode_wall_tile(wall_id: str, tile: int) -> bytes:
    """The payload for :data:`WALL_TILE_MIME`."""
    return json.dumps({"wall": wall_id, "tile": tile}).encode("utf-8")


def decode_wall_tile(data: bytes) -> tuple[str, int] | None:
    """(wall id, tile) from a :data:`WALL_TILE_MIME` payload, or None if it is not one."""
    try:
        value = parse_json(bytes(data).decode("utf-8"))
    except (UnicodeDecodeError, NotJsonError):
        return None
    if not isinstance(value, dict):
        return None
    wall, tile = value.get("wall"), value.get("tile")
    if not isinstance(wall, str) or isinstance(tile, bool) or not isinstance(tile, int):
        return None
    return wall, tile
